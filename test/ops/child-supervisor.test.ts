import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildSupervisor } from '../../packages/cli/dist/supervisor/child-supervisor.js';
import { RestartPolicy } from '../../packages/cli/dist/supervisor/restart-policy.js';
import { processesMentioning } from '../support/processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { descendantsOf, stillRunning } from './process-tree.js';

const SUPERVISOR_MODULE = pathToFileURL(path.resolve('packages/cli/dist/supervisor/child-supervisor.js')).href;

/** A child that runs until stopped and, like `fleet master`/`fleet worker`, exits cleanly on SIGTERM. */
const steady = (tag: string): string[] => ['-e', `process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`, tag];

/**
 * A child like a worker: one helper in its own process group, and one started detached (a group of
 * its own) whose command line carries `marker`, as Playwright starts Chromium.
 */
const withHelpers = (tag: string, marker: string): string[] => [
  '-e',
  `const { spawn } = require('node:child_process');
   const idle = 'setInterval(() => {}, 1000)';
   spawn(process.execPath, ['-e', idle, '${tag}-helper'], { stdio: 'ignore' });
   spawn(process.execPath, ['-e', idle, '${marker}browser'], { stdio: 'ignore', detached: true });
   process.on('SIGTERM', () => setTimeout(() => process.exit(0), 300)); // a short drain
   setInterval(() => {}, 1000);`,
  tag,
];

/**
 * A child like a master: it exits on SIGTERM, and first notes in `file` whether a process whose
 * command line contains `tag` (a worker, which should have stopped before it) still runs.
 */
const notesAtSigterm = (tag: string, file: string, readyFile: string): string[] => [
  '-e',
  `const fs = require('node:fs');
   const running = () => fs.readdirSync('/proc').some((p) => { try { return /^\\d+$/.test(p) && p !== String(process.pid) && fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').includes('${tag}'); } catch { return false; } });
   process.on('SIGTERM', () => { fs.writeFileSync('${file}', running() ? '${tag} running' : '${tag} gone'); process.exit(0); });
   fs.writeFileSync('${readyFile}', '');
   setInterval(() => {}, 1000);`,
  file,
];

describe('ChildSupervisor: the embedded default keeps its children running', () => {
  const temp = makeTempDir('fleet-supervisor-');
  const supervisors: ChildSupervisor[] = [];
  const lines: string[] = [];
  const supervise = (options: ConstructorParameters<typeof ChildSupervisor>[0] = {}): ChildSupervisor => {
    const supervisor = new ChildSupervisor({ initialDelayMs: 100, stopTimeoutMs: 5_000, report: (line) => lines.push(line), ...options });
    supervisors.push(supervisor);
    return supervisor;
  };
  afterEach(async () => {
    await Promise.all(supervisors.splice(0).map((s) => s.close()));
    for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    lines.length = 0;
  });

  it('restarts a SIGKILLed child with its helpers reaped, even one in a process group of its own, and leaves the others running', async () => {
    const supervisor = supervise();
    const marker = path.join(temp.dir, 'workers', 'w1') + path.sep;
    supervisor.start({ name: 'worker-1', args: withHelpers(`${temp.dir}/w1`, marker), env: process.env, ownedMarker: marker });
    supervisor.start({ name: 'worker-2', args: steady(`${temp.dir}/w2`), env: process.env });
    const first = await waitFor('worker-1 and its two helpers', () => {
      const pid = supervisor.pidOf('worker-1');
      const helpers = pid === undefined ? [] : descendantsOf(pid);
      return helpers.length === 2 ? { pid: pid!, helpers } : undefined;
    });
    const other = supervisor.pidOf('worker-2')!;

    process.kill(first.pid, 'SIGKILL');
    await waitFor('worker-1 restarted', () => {
      const pid = supervisor.pidOf('worker-1');
      return pid !== undefined && pid !== first.pid ? pid : undefined;
    });
    // Both helpers died with it: the one in its group, and the detached one that names its dir.
    await waitFor('the helpers of the killed worker-1 to end', () => (stillRunning(first.helpers).length === 0 ? true : undefined));
    expect(supervisor.pidOf('worker-2')).toBe(other);
    expect(lines.join('\n')).toMatch(new RegExp(`worker-1 \\(pid ${first.pid}\\) was killed by SIGKILL; restarting it in 100 ms \\(restart 1\\)`));
    expect(lines.join('\n')).toContain('worker-1 restarted (pid');
  });

  it('gives up on a crash loop after the bound, reports it, and keeps the others running', async () => {
    const supervisor = supervise({ maxRestarts: 2, restartWindowMs: 60_000 });
    supervisor.start({ name: 'steady', args: steady(`${temp.dir}/steady`), env: process.env });
    const steadyPid = await waitFor('the steady child', () => supervisor.pidOf('steady'));
    supervisor.start({ name: 'crasher', args: ['-e', 'process.exit(3)', `${temp.dir}/crasher`], env: process.env });

    await waitFor('the crash loop to be given up', () => lines.find((l) => l.includes('a crash loop')));
    expect(lines.filter((l) => /^crasher \(pid \d+\) exited with code 3; restarting it/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('a crash loop'))).toEqual([
      expect.stringMatching(/^crasher \(pid \d+\) exited with code 3: restarted 2 times within 60 s, a crash loop; not restarting it/),
    ]);
    expect(supervisor.pidOf('crasher')).toBeUndefined();
    expect(supervisor.pidOf('steady')).toBe(steadyPid);
  });

  it('close() stops the higher tier first, SIGKILLs a child that ignores SIGTERM after the deadline, and is idempotent', async () => {
    const supervisor = supervise({ stopTimeoutMs: 500 });
    const seen = path.join(temp.dir, 'seen-at-sigterm');
    // The lower tier (a master) notes, when its SIGTERM comes, whether the higher one (a worker) still runs.
    const ignoreSigterm = `process.on('SIGTERM', () => {}); require('node:fs').writeFileSync('${temp.dir}/stubborn-ready', ''); setInterval(() => {}, 1000);`;
    supervisor.start({ name: 'polite', args: notesAtSigterm(`${temp.dir}/stubborn`, seen, `${temp.dir}/polite-ready`), env: process.env });
    supervisor.start({ name: 'stubborn', args: ['-e', ignoreSigterm, `${temp.dir}/stubborn`], env: process.env, stopTier: 1 });
    await waitFor('both children to handle SIGTERM', () => (['polite', 'stubborn'].every((n) => existsSync(`${temp.dir}/${n}-ready`)) ? true : undefined));

    const closing = supervisor.close();
    expect(supervisor.close()).toBe(closing);
    await closing;
    expect(processesMentioning(temp.dir)).toEqual([]);
    expect(readFileSync(seen, 'utf8')).toBe(`${temp.dir}/stubborn gone`);
    expect(lines.some((l) => l.includes('restarting'))).toBe(false);
  });

  it('children stop themselves, workers before their master, and reap what they started, when the supervising process is SIGKILLed', async () => {
    const marker = path.join(temp.dir, 'workers', 'orphan') + path.sep;
    const seen = path.join(temp.dir, 'seen-at-sigterm');
    const script = path.join(temp.dir, 'supervise.mjs');
    writeFileSync(
      script,
      `import { ChildSupervisor } from ${JSON.stringify(SUPERVISOR_MODULE)};
       const supervisor = new ChildSupervisor({ stopTimeoutMs: 5000 });
       supervisor.start({ name: 'master', args: ${JSON.stringify(notesAtSigterm(`${temp.dir}/orphan`, seen, `${temp.dir}/master-ready`))}, env: process.env });
       supervisor.start({ name: 'worker', args: ${JSON.stringify(withHelpers(`${temp.dir}/orphan`, marker))}, env: process.env, ownedMarker: ${JSON.stringify(marker)}, stopTier: 1 });
       setInterval(() => {}, 1000);`,
    );
    const parent = spawn(process.execPath, [script], { stdio: 'ignore' });
    const tree = await waitFor("the supervised master, worker and the worker's two helpers", () => {
      const all = descendantsOf(parent.pid!);
      return all.length === 4 && existsSync(`${temp.dir}/master-ready`) ? all : undefined;
    });

    parent.kill('SIGKILL');
    await waitFor('the master, the worker and its helpers to end', () => (stillRunning(tree).length === 0 ? true : undefined), 15_000, 100);
    expect(processesMentioning(temp.dir)).toEqual([]);
    expect(readFileSync(seen, 'utf8')).toBe(`${temp.dir}/orphan gone`);
  });
});

describe('RestartPolicy', () => {
  it('doubles the delay up to the cap, starts again after a stable run, and gives up after maxRestarts within the window', () => {
    const policy = new RestartPolicy({ maxRestarts: 4, restartWindowMs: 60_000, initialDelayMs: 1_000, maxDelayMs: 3_000, stableAfterMs: 30_000 });
    expect([policy.onExit(0, 10), policy.onExit(1_000, 10), policy.onExit(2_000, 10)]).toEqual([1_000, 2_000, 3_000]);
    expect(policy.onExit(40_000, 35_000)).toBe(1_000); // ran long enough: back to the first delay
    expect(policy.onExit(41_000, 10)).toBeUndefined(); // a fifth restart within 60 s
    expect(policy.onExit(61_000, 10)).toBe(2_000); // the first two have left the window
  });
});
