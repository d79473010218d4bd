import { describe, expect, it } from 'vitest';
import { FleetError } from '@fleetwright/shared';
import { HumanGate } from '../dist/live/human-gate.js';

describe('HumanGate', () => {
  it('lets a job pass while nobody holds the session, and holds it until the person hands back', async () => {
    const gate = new HumanGate();
    await gate.whenFree(new AbortController().signal);
    gate.claim();
    let passed = false;
    const waiting = gate.whenFree(new AbortController().signal).then(() => (passed = true));
    await Promise.resolve();
    expect(passed).toBe(false);
    gate.release();
    await waiting;
    expect(passed).toBe(true);
    expect(gate.claims).toBe(1);
  });

  it('rejects a wait for a person with HUMAN_TIMEOUT naming the reason when nobody took over in time', async () => {
    const gate = new HumanGate();
    const error = await gate.waitForHandBack(new AbortController().signal, 20, 'enter the code').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ code: 'HUMAN_TIMEOUT', message: expect.stringContaining('enter the code') });
  });

  it('lets a person at work when the time is up finish: their release resolves the wait', async () => {
    const gate = new HumanGate();
    const waiting = gate.waitForHandBack(new AbortController().signal, 20, 'enter the code');
    gate.claim();
    await new Promise((resolve) => setTimeout(resolve, 60));
    gate.release();
    await expect(waiting).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason on cancel", async () => {
    const gate = new HumanGate();
    const cancel = new AbortController();
    const waiting = gate.waitForHandBack(cancel.signal, 60_000, 'enter the code');
    cancel.abort(new FleetError('JOB_CANCELLED', 'cancelled by a user'));
    await expect(waiting).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });

  it('keeps the request of the job that waits, for a restarted master, and forgets it once the person hands back', async () => {
    const gate = new HumanGate();
    const asked = { jobId: 'job-1', accountId: 'acc-1', epoch: 2, attempt: 1, reason: 'enter the code', timeoutMs: 60_000 };
    const waiting = gate.waitForHandBack(new AbortController().signal, asked.timeoutMs, asked.reason, asked);
    expect(gate.waiting).toMatchObject({ asked, expiresAt: expect.any(Number) });
    gate.claim();
    gate.release();
    await waiting;
    expect(gate.waiting).toBeUndefined();
  });
});
