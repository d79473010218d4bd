import { describe, expect, it } from 'vitest';
import type { WorkerStats } from '@fleetwright/shared';
import { HeartbeatBatch, type Heartbeat } from '../dist/scheduler/heartbeat-batch.js';

// Pure coalescing logic, so a unit test with a recording write in place of the store.
describe('heartbeats written together', () => {
  const stats = (activeContexts: number) => ({ activeContexts }) as unknown as WorkerStats;

  it('writes the beats of one window in one write, each worker once with its newest stats, and answers each after it', async () => {
    const writes: Heartbeat[][] = [];
    const batch = new HeartbeatBatch(async (beats) => void writes.push(beats), 20);
    const answered: string[] = [];
    const beats = [batch.add('w1', stats(1)), batch.add('w2', stats(2)), batch.add('w1', stats(3))].map((p, i) => p.then(() => answered.push(`beat ${i}`)));
    expect(writes).toEqual([]);
    await Promise.all(beats);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.map((b) => [b.id, b.stats])).toEqual([
      ['w1', stats(3)],
      ['w2', stats(2)],
    ]);
    expect(answered.sort()).toEqual(['beat 0', 'beat 1', 'beat 2']);
    await batch.add('w2', stats(4));
    expect(writes).toHaveLength(2);
  });

  it('answers each beat with what the write read for its worker, and nothing for a worker it did not answer', async () => {
    const batch = new HeartbeatBatch<string[]>(async (beats) => new Map(beats.filter((b) => b.id !== 'gone').map((b) => [b.id, [`${b.id}-account`]])), 20);
    expect(await Promise.all([batch.add('w1', stats(1)), batch.add('gone', stats(1)), batch.add('w1', stats(2))])).toEqual([
      ['w1-account'],
      undefined,
      ['w1-account'],
    ]);
  });

  it("passes a failed write's error to every beat in it, and refuses beats once closed after writing those pending", async () => {
    let fail = true;
    const writes: Heartbeat[][] = [];
    const batch = new HeartbeatBatch(async (beats) => {
      if (fail) throw new Error('NOT_LEADER');
      writes.push(beats);
    }, 20);
    const outcomes = await Promise.allSettled([batch.add('w1', stats(1)), batch.add('w2', stats(1))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    const pending = batch.add('w3', stats(1));
    await batch.close();
    await pending;
    expect(writes.map((w) => w.map((b) => b.id))).toEqual([['w3']]);
    await expect(batch.add('w4', stats(1))).rejects.toThrow(/closing/);
  });
});
