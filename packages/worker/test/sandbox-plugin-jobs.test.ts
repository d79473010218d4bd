import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '@fleetwright/sandbox';
import { createSandboxPlugin } from '@fleetwright/worker';
import { eventsOf, recordJobEvents } from './support/plugin-events.js';
import { RunnerRig } from './support/runner-rig.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { waitFor } from './support/wait-for.js';

/** The sandbox plugin's jobs beyond login and crawl: QR expiry, DMs, replies, invites (JobRunner + real Chromium + real sandbox). */
describe('sandbox plugin jobs', () => {
  let site: SandboxSite;
  let rig: RunnerRig;
  let alice: SeededUser;
  let bob: SeededUser;

  beforeEach(async () => {
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
    bob = await site.addUser('bob');
    rig = new RunnerRig({ plugins: [createSandboxPlugin({ baseUrl: site.url })], maxLiveContexts: 2 });
    rig.assign('acc-alice', { credentials: { username: 'alice', password: alice.password } });
    rig.assign('acc-bob', { credentials: { username: 'bob', password: bob.password } });
  });

  afterEach(async () => {
    await rig?.close();
    await site?.close();
  });

  async function admin<T = any>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${site.url}/admin${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`sandbox admin ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async function runJob(accountId: string, type: string, payload: Record<string, unknown> = {}, attempt = 1, jobId?: string) {
    const run = rig.start({ accountId, type, payload, attempt, ...(jobId ? { jobId } : {}) });
    const result = await waitFor(
      `the result of ${type} attempt ${attempt}`,
      () => rig.reporter.results.find((r) => r.jobId === run.jobId && r.attempt === attempt),
      30_000,
    );
    await waitFor('the runner to finish the job', () => (rig.runner.runningCount === 0 ? true : undefined));
    return { run, result: result as typeof result & { result?: any; error?: { code: string; retryable?: boolean; message: string } } };
  }

  it('reads comments on my posts and the DMs others sent me, and emits each with its thread id', async () => {
    const events = recordJobEvents(rig.reporter);
    const carol = await site.addUser('carol');
    const post = await site.addPost('alice', 'alice writes');
    const comment = await site.addComment(post.id, 'bob', 'a comment');
    await admin('/comments', { postId: post.id, author: 'alice', text: 'a reply is not a top-level comment', parentId: comment.id });
    const fromBob = await admin('/messages', { from: 'bob', to: 'alice', text: 'hi <alice> & co' });
    const mine = await admin('/messages', { from: 'alice', to: 'bob', text: 'my own answer' });
    const fromCarol = await admin('/messages', { from: carol.handle, to: 'alice', text: 'hello from carol' });
    await admin('/messages', { from: 'bob', to: carol.handle, text: "not alice's conversation" });
    await runJob('acc-alice', 'login');

    const { run, result } = await runJob('acc-alice', 'crawl');

    expect(result.status).toBe('succeeded');
    expect(result.result.comments).toEqual([{ id: comment.id, postId: post.id, author: 'bob', text: 'a comment', createdAt: comment.createdAt }]);
    expect(result.result.dms).toEqual(
      expect.arrayContaining([
        { id: fromBob.id, conversationId: fromBob.conversationId, author: 'bob', text: 'hi <alice> & co', createdAt: fromBob.createdAt },
        { id: fromCarol.id, conversationId: fromCarol.conversationId, author: 'carol', text: 'hello from carol', createdAt: fromCarol.createdAt },
      ]),
    );
    expect(result.result.dms.map((m: { id: string }) => m.id)).not.toContain(mine.id);
    expect(result.result.dms).toHaveLength(2);
    const emitted = eventsOf(events, run.jobId, 'messages').flatMap((e) => e.messages);
    expect(emitted).toEqual(
      expect.arrayContaining([
        { kind: 'comment', platformMessageId: comment.id, threadId: post.id, author: 'bob', text: 'a comment', createdAt: comment.createdAt },
        { kind: 'dm', platformMessageId: fromBob.id, threadId: fromBob.conversationId, author: 'bob', text: 'hi <alice> & co', createdAt: fromBob.createdAt },
        {
          kind: 'dm',
          platformMessageId: fromCarol.id,
          threadId: fromCarol.conversationId,
          author: 'carol',
          text: 'hello from carol',
          createdAt: fromCarol.createdAt,
        },
      ]),
    );
    expect(emitted).toHaveLength(3);
  });

  it('answers a DM once: a second run of the same reply finds it and posts nothing', async () => {
    const events = recordJobEvents(rig.reporter);
    const dm = await admin('/messages', { from: 'bob', to: 'alice', text: 'are you there?' });
    await runJob('acc-alice', 'login');
    const payload = { kind: 'dm', targetId: dm.conversationId, text: 'yes, here' };

    const first = await runJob('acc-alice', 'reply', payload);
    const second = await runJob('acc-alice', 'reply', payload);

    expect(first.result).toMatchObject({ status: 'succeeded', result: { alreadyPosted: false, kind: 'dm', targetId: dm.conversationId } });
    const replyId = first.result.result.replyId as string;
    expect(second.result).toMatchObject({ status: 'succeeded', result: { replyId, alreadyPosted: true } });
    expect(eventsOf(events, first.run.jobId, 'reply')).toEqual([expect.objectContaining({ replyId, alreadyPosted: false })]);
    expect(eventsOf(events, second.run.jobId, 'reply')).toEqual([expect.objectContaining({ replyId, alreadyPosted: true })]);
    const sent = [...site.server.store.messages.messages.values()].filter((m) => m.authorId === alice.id);
    expect(sent.map((m) => ({ id: m.id, conversationId: m.conversationId, text: m.text }))).toEqual([
      { id: replyId, conversationId: dm.conversationId, text: 'yes, here' },
    ]);
  });

  it('a reply attempt that fails after posting is retried without posting twice, and a reply id names its thread', async () => {
    const events = recordJobEvents(rig.reporter);
    const post = await site.addPost('alice', 'alice writes');
    const comment = await site.addComment(post.id, 'bob', 'question?');
    const bobsReply = await admin('/comments', { postId: post.id, author: 'bob', text: 'anyone?', parentId: comment.id });
    await runJob('acc-alice', 'login');
    // Addressed by a reply's id: the answer goes under the same top-level comment.
    const payload = { kind: 'comment', targetId: bobsReply.id, text: 'answer', failAfterPostAttempts: 1 };

    const attempt1 = await runJob('acc-alice', 'reply', payload, 1, 'reply-job');
    const attempt2 = await runJob('acc-alice', 'reply', payload, 2, 'reply-job');

    expect(attempt1.result).toMatchObject({ status: 'failed', error: { code: 'PLATFORM_ERROR', retryable: true } });
    expect(attempt1.result.error?.message).toContain('failAfterPostAttempts');
    expect(eventsOf(events, 'reply-job', 'reply').filter((e) => e.attempt === 1)).toEqual([]);
    expect(attempt2.result).toMatchObject({ status: 'succeeded', result: { alreadyPosted: true } });
    const replies = site.server.store.repliesTo(comment.id).filter((r) => r.authorId === alice.id);
    expect(replies.map((r) => ({ id: r.id, text: r.text }))).toEqual([{ id: attempt2.result.result.replyId, text: 'answer' }]);
    expect(eventsOf(events, 'reply-job', 'reply')).toEqual([expect.objectContaining({ attempt: 2, replyId: replies[0]!.id, alreadyPosted: true })]);
  });

  it('refuses, without retry, a reply to a comment that is not on my posts', async () => {
    await runJob('acc-alice', 'login');

    const { result } = await runJob('acc-alice', 'reply', { kind: 'comment', targetId: 'c999', text: 'hello?' });

    expect(result).toMatchObject({ status: 'failed', error: { code: 'PLATFORM_ERROR', retryable: false } });
    expect(result.error?.message).toContain('c999');
  });

  it('invites new addresses and skips members and pending invites', async () => {
    const carol = await site.addUser('carol');
    const dave = await site.addUser('dave');
    const team = await admin('/teams', { owner: 'alice', name: 'Crew', seats: 5 });
    await admin(`/teams/${team.id}/invites`, { emails: [bob.email, carol.email] });
    const store = site.server.store;
    const carolsInvite = store.teams.pendingInvitesTo(carol.email)[0]!;
    expect(store.teams.accept(carolsInvite, carol.id)).toMatchObject({ ok: true });
    await runJob('acc-alice', 'login');

    const { result } = await runJob('acc-alice', 'invite', { emails: [bob.email, carol.email.toUpperCase(), dave.email] });

    expect(result).toMatchObject({ status: 'succeeded', result: { team: 'Crew', invited: [dave.email] } });
    expect([...result.result.skipped].sort()).toEqual([bob.email, carol.email].sort());
    const invites = store.teams
      .invitesOf(team.id)
      .map((i) => `${i.email}:${i.status}`)
      .sort();
    expect(invites).toEqual([`${bob.email}:pending`, `${carol.email}:accepted`, `${dave.email}:pending`].sort());
  });

  it('accepts the invite from the inbox, then skips when already in the team', async () => {
    const team = await admin('/teams', { owner: 'alice', name: 'Crew', seats: 3 });
    await admin(`/teams/${team.id}/invites`, { emails: [bob.email] });
    await runJob('acc-bob', 'login');

    const first = await runJob('acc-bob', 'accept_invite', { email: bob.email });
    const again = await runJob('acc-bob', 'accept_invite', { email: bob.email });

    expect(first.result).toMatchObject({ status: 'succeeded', result: { joined: true, skipped: false, team: 'Crew' } });
    expect(again.result).toMatchObject({ status: 'succeeded', result: { joined: true, skipped: true, team: 'Crew' } });
    expect(again.result.result.reason).toMatch(/already a member/);
    expect(site.server.store.teams.teams.get(team.id)!.memberIds).toEqual([alice.id, bob.id]);
  });

  it('fails an accept with no invite in the inbox as a retryable platform error', async () => {
    await runJob('acc-bob', 'login');

    const { result } = await runJob('acc-bob', 'accept_invite');

    expect(result).toMatchObject({ status: 'failed', error: { code: 'PLATFORM_ERROR', retryable: true } });
    expect(result.error?.message).toContain('no pending invite');
  });

  it('ends a QR login nobody approves as expired after qrTimeoutMs, not retryable, with no session saved', async () => {
    const events = recordJobEvents(rig.reporter);

    const { run, result } = await runJob('acc-alice', 'login', { method: 'qr', qrTimeoutMs: 1500 });

    expect(result).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED', retryable: false } });
    expect(result.error?.message).toMatch(/expired/);
    expect(eventsOf(events, run.jobId, 'qrcode')).toEqual([expect.objectContaining({ dataUrl: expect.stringMatching(/^data:image\/png;base64,/) })]);
    expect(eventsOf(events, run.jobId, 'login_status').map((e) => e.status)).toEqual(['waiting_scan', 'expired']);
    expect(rig.reporter.snapshots).toEqual([]);
    expect(rig.reporter.progressOf(run.jobId).at(-1)).toMatchObject({ step: 'wait_for_scan' });
  });
});

describe('sandbox plugin QR login against a site whose codes expire', () => {
  let server: SandboxServer | undefined;
  let rig: RunnerRig | undefined;
  afterEach(async () => {
    await rig?.close();
    await server?.close();
  });

  it('reports the code the site expired as expired and fails without retry', async () => {
    server = new SandboxServer({ qrTtlMs: 1000 });
    await server.start();
    rig = new RunnerRig({ plugins: [createSandboxPlugin({ baseUrl: server.url })] });
    const events = recordJobEvents(rig.reporter);
    rig.assign('acc-x');

    const run = rig.start({ accountId: 'acc-x', type: 'login', payload: { method: 'qr', qrTimeoutMs: 20_000 } });
    const result = await rig.reporter.resultOf(run.jobId, 30_000);

    expect(result).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED', retryable: false } });
    const statuses = eventsOf(events, run.jobId, 'login_status');
    expect(statuses.map((e) => e.status)).toEqual(['waiting_scan', 'expired']);
    expect(statuses[1]!.message).toMatch(/expired/);
    expect(server.store.sessions.size).toBe(0);
  });
});
