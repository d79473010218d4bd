import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, ClientRequest, type JobView } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { BROWSER_MODES } from '../support/browser-modes.js';
import { FleetHarness } from '../support/fleet-harness.js';

/** The sandbox's own judge: replies by one author with one text under one parent, more than once. */
async function duplicateReplies(fleet: FleetHarness): Promise<unknown[]> {
  const res = await fetch(`${fleet.sandbox.url}/oracle/duplicate-replies`, { signal: AbortSignal.timeout(5000) });
  return ((await res.json()) as { duplicates: unknown[] }).duplicates;
}

describe.each(BROWSER_MODES)('replies are posted once, even when a job is retried (%s mode)', (browserMode) => {
  let fleet: FleetHarness | undefined;
  let client: ClientEventRecorder | undefined;
  afterEach(async () => {
    client?.close();
    await fleet?.close();
  });

  async function startAlice(f: FleetHarness): Promise<string> {
    await f.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: 'alice-secret-1' });
    await f.sandboxAdmin('/users', { handle: 'bob', email: 'bob@sandbox.test', password: 'bob-secret-1' });
    await f.startWorker('w1', { browserMode });
    const account = await f.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'alice', password: 'alice-secret-1' } });
    const login = await f.api('POST', '/jobs', { type: 'login', accountId: account.body.id });
    expect(await f.waitForJob(login.body.id)).toMatchObject({ status: 'succeeded' });
    return account.body.id as string;
  }

  it('retries a reply that failed between posting and reporting, and leaves exactly one reply', async () => {
    fleet = await new FleetHarness().start();
    const accountId = await startAlice(fleet);
    const post = await fleet.sandboxAdmin('/posts', { author: 'alice', text: 'alice writes' });
    const question = await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'great post' });
    client = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);

    // The reference plugin's test hook: attempt 1 posts, then fails (retryable) before reporting.
    const job = await fleet.api('POST', '/jobs', {
      type: 'reply',
      accountId,
      maxAttempts: 3,
      payload: { kind: 'comment', targetId: question.id, text: 'thank you!', failAfterPostAttempts: 1 },
    });
    expect(job.status).toBe(201);
    const done = await fleet.waitForJob(job.body.id);

    expect(done).toMatchObject({ status: 'succeeded', attempt: 2, result: { alreadyPosted: true, kind: 'comment', targetId: question.id } });
    const replyId = (done.result as { replyId: string }).replyId;
    const events = (await fleet.api('GET', `/jobs/${job.body.id}/events`)).body.items as { kind: string; data: Record<string, unknown> }[];
    expect(events.some((e) => e.kind === 'status' && e.data.retry === true && e.data.code === 'PLATFORM_ERROR')).toBe(true);
    const results = await client.next(ClientEvent.ReplyResult, (e) => e.jobId === job.body.id);
    expect(results).toEqual({ jobId: job.body.id, accountId, replyId, alreadyPosted: true });
    expect(client.all(ClientEvent.ReplyResult, (e) => e.jobId === job.body.id)).toHaveLength(1);

    // The site is the judge: no duplicates, and the thread holds the reply exactly once.
    expect(await duplicateReplies(fleet)).toEqual([]);
    const mine = fleet.sandbox.store.repliesTo(question.id).filter((r) => r.text === 'thank you!');
    expect(mine.map((r) => ({ id: r.id, author: fleet!.sandbox.store.users.get(r.authorId)?.handle }))).toEqual([{ id: replyId, author: 'alice' }]);
  });

  it('answers a DM asked twice over reply:execute once, the second time reporting it as already posted', async () => {
    fleet = await new FleetHarness().start();
    const accountId = await startAlice(fleet);
    const dm = await fleet.sandboxAdmin('/messages', { from: 'bob', to: 'alice', text: 'lunch?' });
    client = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    const ask = async () => {
      const ack = (await client!.socket
        .timeout(10_000)
        .emitWithAck(ClientRequest.ReplyExecute, { accountId, kind: 'dm', targetId: dm.conversationId, text: 'sure, noon' })) as { ok: boolean; data: JobView };
      expect(ack).toMatchObject({ ok: true, data: { type: 'reply' } });
      return fleet!.waitForJob(ack.data.id);
    };

    const first = await ask();
    const second = await ask();

    expect(first).toMatchObject({ status: 'succeeded', result: { alreadyPosted: false } });
    const replyId = (first.result as { replyId: string }).replyId;
    expect(second).toMatchObject({ status: 'succeeded', result: { replyId, alreadyPosted: true } });
    expect((await client.next(ClientEvent.ReplyResult, (e) => e.jobId === first.id)).alreadyPosted).toBe(false);
    expect((await client.next(ClientEvent.ReplyResult, (e) => e.jobId === second.id)).replyId).toBe(replyId);
    expect(await duplicateReplies(fleet)).toEqual([]);
    const sent = fleet.sandbox.store.messages.messagesIn(dm.conversationId).map((m) => m.text);
    expect(sent).toEqual(['lunch?', 'sure, noon']);
  });
});
