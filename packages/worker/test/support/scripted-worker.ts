import { findChromium } from '@fleetwright/shared';
import { Worker, type WorkerOptions } from '@fleetwright/worker';
import { quietLogger } from './quiet-logger.js';
import type { ScriptedMaster } from './scripted-master.js';

/** A real Worker (real Chromium) connected to a scripted master; the test closes it. */
export function scriptedWorker(master: ScriptedMaster, dataDir: string, overrides: Partial<WorkerOptions> & Pick<WorkerOptions, 'plugins'>): Worker {
  const worker = new Worker({
    workerId: 'w-test',
    masterUrl: master.url,
    token: 'test-token',
    dataDir,
    chromiumPath: findChromium(),
    maxConcurrency: 2,
    maxLiveContexts: 4,
    drainTimeoutMs: 2000,
    logger: quietLogger,
    ...overrides,
  });
  worker.start();
  return worker;
}
