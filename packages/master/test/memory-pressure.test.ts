import { afterEach, describe, expect, it } from 'vitest';
import { underMemoryPressure } from '../dist/scheduler/memory-pressure.js';
import { MasterFixture } from './support/master-fixture.js';
import { DEFAULT_STATS } from './support/simulated-worker.js';
import { sleep } from './support/wait-until.js';

const pressed = { ...DEFAULT_STATS, memory: { limitBytes: 4e9, browserPssBytes: 3.8e9, underPressure: true } };
const relaxed = { ...DEFAULT_STATS, memory: { limitBytes: 4e9, browserPssBytes: 1e9, underPressure: false } };

describe('memory pressure in assignment', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('reads the pressure from stored stats, as text or as a record, and takes a worker that reports none as free', () => {
    expect(underMemoryPressure(JSON.stringify(pressed))).toBe(true);
    expect(underMemoryPressure(pressed)).toBe(true);
    expect(underMemoryPressure(JSON.stringify(relaxed))).toBe(false);
    expect(underMemoryPressure(JSON.stringify(DEFAULT_STATS))).toBe(false);
    expect(underMemoryPressure(null)).toBe(false);
    expect(underMemoryPressure('not json')).toBe(false);
  });

  it('gives no new account to a worker under memory pressure, and gives it accounts again once the pressure is gone', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const ack = await worker.heartbeat(pressed);
    expect(ack.ok).toBe(true);
    const first = await fx.createAccount();
    await sleep(300); // several scheduler passes
    expect(worker.assigns).toEqual([]);
    expect((await fx.api('GET', `/accounts/${first.id}`)).body.ownerWorkerId).toBeNull();
    const shown = (await fx.api('GET', '/workers')).body.items[0];
    expect(shown.stats.memory).toEqual(pressed.memory);

    await worker.heartbeat(relaxed);
    const assign = await worker.waitForAssign(first.id);
    expect(assign.accountId).toBe(first.id);
  });
});
