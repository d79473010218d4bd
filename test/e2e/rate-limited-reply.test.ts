import { afterEach, describe, expect, it } from 'vitest';
import { WorkerEvent, type WorkerJobResult } from '@fleetwright/shared';
import type { Worker } from '@fleetwright/worker';
import { FleetHarness } from '../support/fleet-harness.js';
import { waitFor } from '../support/wait-for.js';

const PASSWORD = 'alice-Throttle-secret-4471';

/** What the worker sent the master as job results, in order, as they left its socket. */
function recordResults(worker: Worker): WorkerJobResult[] {
  const results: WorkerJobResult[] = [];
  // The connection is the worker's own; the test only listens to what leaves it.
  const { socket } = (worker as unknown as { connection: { socket: { onAnyOutgoing(listener: (event: string, ...args: unknown[]) => void): void } } })
    .connection;
  socket.onAnyOutgoing((event, payload) => {
    if (event === WorkerEvent.JobResult) results.push(payload as WorkerJobResult);
  });
  return results;
}

describe("a platform's 429 reaches the master as a rate_limited report (real master, worker, Chromium and sandbox)", () => {
  let fleet: FleetHarness | undefined;
  afterEach(async () => {
    await fleet?.close();
  });

  it("reports the reply that met the sandbox's reply limit as rate_limited for the account, with the site's Retry-After-Ms, and no secret", async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: PASSWORD });
    await fleet.sandboxAdmin('/users', { handle: 'bob', email: 'bob@sandbox.test', password: 'bob-secret-1' });
    const worker = await fleet.startWorker('w1');
    const results = recordResults(worker);

    // The worker told the master the reply's declared default limit.
    const workers = (await fleet.api('GET', '/workers')).body.items as { id: string; capabilities: { platform: string; limits?: unknown }[] }[];
    expect(workers.find((w) => w.id === 'w1')?.capabilities.find((c) => c.platform === 'sandbox')?.limits).toEqual({
      reply: { account: { max: 120, windowMs: 60_000 } },
    });

    const account = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'alice', password: PASSWORD } });
    const accountId = account.body.id as string;
    expect(await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId })).body.id)).toMatchObject({ status: 'succeeded' });
    const post = await fleet.sandboxAdmin('/posts', { author: 'alice', text: 'alice writes' });
    const first = await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'first question' });
    const second = await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'second question' });
    const windowMs = 60_000;
    await fleet.sandboxAdmin('/reply-limits', { user: 'alice', max: 1, windowMs });

    const answered = await fleet.api('POST', '/jobs', { type: 'reply', accountId, payload: { kind: 'comment', targetId: first.id, text: 'one answer' } });
    expect(await fleet.waitForJob(answered.body.id)).toMatchObject({ status: 'succeeded' });
    const throttled = await fleet.api('POST', '/jobs', { type: 'reply', accountId, payload: { kind: 'comment', targetId: second.id, text: 'two answers' } });
    const report = await waitFor('the rate_limited report', () => results.find((r) => r.jobId === throttled.body.id), 30_000);

    expect(report).toMatchObject({ jobId: throttled.body.id, accountId, attempt: 1, status: 'rate_limited', scope: 'account' });
    const { retryAfterMs, message } = report as Extract<WorkerJobResult, { status: 'rate_limited' }>;
    expect(message).toContain('HTTP 429');
    // The site's wait runs from the one reply in alice's window; the report carries it to the millisecond (Retry-After-Ms).
    const log = (await (await fetch(`${fleet.sandbox.url}/oracle/accepted-replies?user=alice&windowMs=${windowMs}`)).json()) as {
      items: { acceptedAt: number[]; refused: number; busiestWindow: number }[];
    };
    const [alice] = log.items;
    expect(alice).toMatchObject({ busiestWindow: 1 });
    expect(alice!.refused).toBeGreaterThanOrEqual(1);
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(windowMs);
    const refusedAt = alice!.acceptedAt[0]! + windowMs - retryAfterMs;
    expect(refusedAt).toBeGreaterThan(alice!.acceptedAt[0]!);
    expect(refusedAt).toBeLessThanOrEqual(Date.now());
    expect(fleet.sandbox.store.repliesTo(second.id)).toEqual([]);

    // Nothing the worker reported about the job carries the password or the session.
    const sessions = [...fleet.sandbox.store.sessions.values()].map((s) => s.id);
    const sent = JSON.stringify(results.filter((r) => r.jobId === throttled.body.id));
    for (const secret of [PASSWORD, ...sessions]) expect(sent).not.toContain(secret);
  });

  it("pauses only the account the sandbox throttled: its replies wait out the Retry-After and run on under their first attempt, while another account's run on", async () => {
    fleet = await new FleetHarness().start();
    const users = ['alice', 'carol'];
    for (const handle of users) await fleet.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-pw-1` });
    await fleet.sandboxAdmin('/users', { handle: 'bob', email: 'bob@sandbox.test', password: 'bob-secret-1' });
    await fleet.startWorker('w1');
    const accounts = new Map<string, string>();
    for (const handle of users) {
      const created = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: handle, password: `${handle}-pw-1` } });
      accounts.set(handle, created.body.id);
      expect(await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId: created.body.id })).body.id)).toMatchObject({
        status: 'succeeded',
      });
    }
    // Long enough that the pause after a refusal outlasts a reply's run: it is seen on the account.
    const windowMs = 8_000;
    await fleet.sandboxAdmin('/reply-limits', { user: 'alice', max: 1, windowMs });
    const replies = new Map<string, string[]>();
    for (const handle of users) {
      const post = await fleet.sandboxAdmin('/posts', { author: handle, text: `${handle} writes` });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const comment = await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: `question ${i}` });
        const job = await fleet.api('POST', '/jobs', {
          type: 'reply',
          accountId: accounts.get(handle),
          payload: { kind: 'comment', targetId: comment.id, text: `answer ${i}` },
        });
        ids.push(job.body.id);
      }
      replies.set(handle, ids);
    }

    // Alice's account is paused once the sandbox refuses her second reply; Carol's is not.
    await waitFor('alice paused', async () => ((await fleet!.api('GET', `/accounts/${accounts.get('alice')}`)).body.pausedUntil ? true : undefined), 30_000);
    expect((await fleet.api('GET', `/accounts/${accounts.get('carol')}`)).body.pausedUntil ?? null).toBeNull();

    const done = new Map<string, { status: string; attempt: number; finishedAt: string }[]>();
    for (const [handle, ids] of replies) done.set(handle, await Promise.all(ids.map((id) => fleet!.waitForJob(id))));
    for (const jobs of done.values()) for (const job of jobs) expect(job).toMatchObject({ status: 'succeeded', attempt: 1 });
    // Carol's replies did not wait for Alice's pause.
    const lastOf = (handle: string) => Math.max(...done.get(handle)!.map((j) => Date.parse(j.finishedAt)));
    expect(lastOf('carol')).toBeLessThan(lastOf('alice'));
    // The sandbox's own log: never two of Alice's replies in one window, every reply posted once.
    const log = (await (await fetch(`${fleet.sandbox.url}/oracle/accepted-replies?user=alice&windowMs=${windowMs}`)).json()) as {
      items: { acceptedAt: number[]; refused: number; busiestWindow: number }[];
    };
    expect(log.items[0]).toMatchObject({ busiestWindow: 1 });
    expect(log.items[0]!.acceptedAt).toHaveLength(3);
    expect(log.items[0]!.refused).toBeGreaterThanOrEqual(1);
  });
});
