/**
 * Loaded into every supervised child (`node --import …/parent-watch.js`). The children run
 * detached, in process groups of their own, so a terminal's Ctrl-C or a SIGKILL of the supervisor
 * no longer reaches them. When the supervisor is gone (this process was handed to another parent),
 * the child stops itself the way the supervisor would have: SIGTERM (a graceful close), then its
 * process group and whatever carries its marker SIGKILLed after the deadline.
 */
import { killProcessGroup, killProcessesMentioning } from './process-reaper.js';
import { WATCH_PARAMS } from './watch-params.js';

const POLL_MS = 500;
const supervisor = process.ppid;
// Passed in this module's URL, so no env var reaches the child's own children (Chromium).
const params = new URL(import.meta.url).searchParams;
const marker = params.get(WATCH_PARAMS.marker) || undefined;
const stopTimeoutMs = Number(params.get(WATCH_PARAMS.stopTimeoutMs)) || 40_000;

/** Its helpers in its own group, and what carries its marker (its Chromium, in groups of their own). */
const reapOwn = (): void => {
  if (marker) killProcessesMentioning(marker);
  killProcessGroup(process.pid); // this process too, which is exiting anyway
};

const poll = setInterval(() => {
  if (process.ppid === supervisor) return;
  clearInterval(poll);
  process.stderr.write(`fleet: the supervising process (pid ${supervisor}) is gone; stopping (pid ${process.pid})\n`);
  process.once('exit', reapOwn);
  setTimeout(reapOwn, stopTimeoutMs).unref();
  process.kill(process.pid, 'SIGTERM');
}, POLL_MS);
poll.unref();
