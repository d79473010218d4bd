/**
 * Loaded into every supervised child (`node --import …/parent-watch.js?…`). The children run
 * detached, in process groups of their own, so a terminal's Ctrl-C or a SIGKILL of the supervisor
 * no longer reaches them. When the supervisor is gone (this process was handed to another parent),
 * the child stops itself the way the supervisor would have: after its siblings of a higher stop
 * tier have ended, SIGTERM (a graceful close); its process group and whatever carries its marker
 * are SIGKILLed when it exits, or after the deadline.
 */
import { killProcessGroup, killProcessesMentioning, listProcesses } from './process-reaper.js';
import { WATCH_PARAMS } from './watch-params.js';

const POLL_MS = 250;
const supervisor = process.ppid;
// Passed in this module's URL, so no env var reaches the child's own children (Chromium).
const self = new URL(import.meta.url);
const marker = self.searchParams.get(WATCH_PARAMS.marker) || undefined;
const stopTimeoutMs = Number(self.searchParams.get(WATCH_PARAMS.stopTimeoutMs)) || 40_000;
const stopTier = Number(self.searchParams.get(WATCH_PARAMS.stopTier)) || 0;
const selfWithoutQuery = self.href.split('?')[0]!;

/** Its helpers in its own group, and what carries its marker (its Chromium, in groups of their own). */
const reapOwn = (): void => {
  if (marker) killProcessesMentioning(marker);
  killProcessGroup(process.pid); // this process too, which is exiting anyway
};

/** Whether a sibling (same supervisor) of a higher stop tier still runs: it stops first. */
const higherTierRunning = (): boolean =>
  listProcesses().some(({ args }) =>
    args.some((arg) => {
      if (!arg.startsWith(`${selfWithoutQuery}?`)) return false;
      const theirs = new URL(arg).searchParams;
      return theirs.get(WATCH_PARAMS.supervisor) === String(supervisor) && Number(theirs.get(WATCH_PARAMS.stopTier)) > stopTier;
    }),
  );

const poll = setInterval(() => {
  if (process.ppid === supervisor) return;
  clearInterval(poll);
  process.stderr.write(`fleet: the supervising process (pid ${supervisor}) is gone; stopping (pid ${process.pid})\n`);
  process.once('exit', reapOwn);
  setTimeout(reapOwn, stopTimeoutMs).unref();
  const startedWaiting = Date.now();
  const stopWhenFirstTiersGone = (): void => {
    if (higherTierRunning() && Date.now() - startedWaiting < stopTimeoutMs) setTimeout(stopWhenFirstTiersGone, POLL_MS).unref();
    else process.kill(process.pid, 'SIGTERM');
  };
  stopWhenFirstTiersGone();
}, POLL_MS);
poll.unref();
