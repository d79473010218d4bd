import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxPlugin } from '@fleetwright/worker';
import { MasterSide } from './support/master-side.js';
import { RunnerRig } from './support/runner-rig.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { waitFor } from './support/wait-for.js';

const WINDOW_MS = 60_000;

/** The reference plugin's reply meets the sandbox's 429 (JobRunner + real Chromium + real sandbox). */
describe('the sandbox reply passes on a 429 as ctx.rateLimited', () => {
  let site: SandboxSite;
  let rig: RunnerRig;
  let master: MasterSide;
  let alice: SeededUser;

  beforeEach(async () => {
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
    await site.addUser('bob');
    rig = new RunnerRig({ plugins: [createSandboxPlugin({ baseUrl: site.url })] });
    master = new MasterSide(`${rig.temp.dir}/master-artifacts`);
    master.attach(rig.reporter);
    rig.assign('acc-alice', { credentials: { username: 'alice', password: alice.password } });
  });
  afterEach(async () => {
    await rig?.close();
    await site?.close();
  });

  async function sandbox(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${site.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }
  async function accepted(): Promise<{ acceptedAt: number[]; refused: number }> {
    const res = await fetch(`${site.url}/oracle/accepted-replies?user=alice`, { signal: AbortSignal.timeout(5000) });
    return ((await res.json()) as { items: { acceptedAt: number[]; refused: number }[] }).items[0]!;
  }
  async function runJob(type: string, payload: Record<string, unknown>, attempt = 1, jobId?: string) {
    const run = rig.start({ accountId: 'acc-alice', type, payload, attempt, ...(jobId ? { jobId } : {}) });
    const result = await waitFor(`${type} attempt ${attempt}`, () => rig.reporter.results.find((r) => r.jobId === run.jobId && r.attempt === attempt), 30_000);
    await waitFor('the runner to finish the job', () => (rig.runner.runningCount === 0 ? true : undefined));
    return { run, result: result as typeof result & { retryAfterMs?: number; scope?: string; message?: string; result?: any } };
  }

  it('reports rate_limited for the account with the Retry-After-Ms the site sent, posts nothing, and posts once when run again after the limit', async () => {
    const post = await site.addPost('alice', 'alice writes');
    const comment = await site.addComment(post.id, 'bob', 'question?');
    const dm = await sandbox('POST', '/admin/messages', { from: 'bob', to: 'alice', text: 'lunch?' });
    await runJob('login', {});
    await sandbox('POST', '/admin/reply-limits', { user: 'alice', max: 1, windowMs: WINDOW_MS });

    const first = await runJob('reply', { kind: 'comment', targetId: comment.id, text: 'thanks' });
    expect(first.result).toMatchObject({ status: 'succeeded', result: { alreadyPosted: false } });
    const throttled = await runJob('reply', { kind: 'dm', targetId: dm.conversationId, text: 'sure, noon' }, 1, 'dm-reply');

    expect(throttled.result).toMatchObject({ status: 'rate_limited', scope: 'account' });
    expect(throttled.result.message).toContain('HTTP 429: You are replying too fast');
    // The site counted the wait from the one reply in its window: the refusal fell between that and the report.
    const log = await accepted();
    expect(log).toMatchObject({ refused: 1 });
    expect(log.acceptedAt).toHaveLength(1);
    const retryAfterMs = throttled.result.retryAfterMs!;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
    const refusedAt = log.acceptedAt[0]! + WINDOW_MS - retryAfterMs;
    expect(refusedAt).toBeGreaterThan(log.acceptedAt[0]!);
    expect(refusedAt).toBeLessThanOrEqual(throttled.result.at);
    expect([...site.server.store.messages.messages.values()].filter((m) => m.authorId === alice.id)).toEqual([]);
    await waitFor('the files of the throttled job', () => (master.files('dm-reply').size > 0 ? true : undefined));
    expect([...master.files('dm-reply').keys()]).toEqual(['run.log']);
    expect(master.files('dm-reply').get('run.log')!.toString('utf8')).toMatch(/RATE_LIMITED \(account\): retry after \d+ ms/);

    await sandbox('DELETE', '/admin/reply-limits/alice');
    const again = await runJob('reply', { kind: 'dm', targetId: dm.conversationId, text: 'sure, noon' }, 2, 'dm-reply');
    expect(again.result).toMatchObject({ status: 'succeeded', result: { alreadyPosted: false } });
    expect([...site.server.store.messages.messages.values()].filter((m) => m.authorId === alice.id).map((m) => m.text)).toEqual(['sure, noon']);
  });

  it("declares the reply's default account limit in the capabilities", () => {
    const [capability] = rig.runner.capabilities();
    expect(capability!.limits).toEqual({ reply: { account: { max: 120, windowMs: 60_000 } } });
  });
});
