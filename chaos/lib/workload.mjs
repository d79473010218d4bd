// What the chaos run asks of the fleet: sandbox users with posts, comments and DMs to answer, one
// fleet account per user, and a seeded plan of jobs (logins, crawls, replies each with a text of its
// own, one batch, one monitor) sent through the master's REST API as an upstream system would.
import { progress, sleep } from './rest.mjs';

const PASSWORD = 'chaos-pass-1';
const FAN = 'chaos_fan';

async function admin(sandboxUrl, path, body) {
  const res = await fetch(`${sandboxUrl}/admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`sandbox admin ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Sandbox users `chaos_<i>`, each with a post carrying two comments from a fan and a DM from the
 * fan (the things replies answer), and a fleet account for each.
 * @returns {Promise<{ handle: string, accountId: string, postId: string, commentIds: string[], conversationId: string, deleted: boolean }[]>}
 */
export async function createAccounts(api, sandboxUrl, count, firstIndex = 0) {
  if (firstIndex === 0) await admin(sandboxUrl, '/users', { handle: FAN, email: `${FAN}@sandbox.test`, password: PASSWORD });
  const accounts = [];
  for (let i = firstIndex; i < firstIndex + count; i += 1) {
    const handle = `chaos_${i}`;
    await admin(sandboxUrl, '/users', { handle, email: `${handle}@sandbox.test`, password: PASSWORD });
    const post = await admin(sandboxUrl, '/posts', { author: handle, text: `post of ${handle}` });
    const commentIds = [];
    for (const n of [1, 2]) commentIds.push((await admin(sandboxUrl, '/comments', { postId: post.id, author: FAN, text: `question ${n} for ${handle}` })).id);
    const dm = await admin(sandboxUrl, '/messages', { from: FAN, to: handle, text: `hello ${handle}` });
    const created = await api.persist('POST', '/accounts', {
      platform: 'sandbox',
      label: `chaos:${handle}`,
      tags: ['chaos'],
      credentials: { username: handle, password: PASSWORD },
    });
    if (created.status !== 201) throw new Error(`could not create the account ${handle}: ${JSON.stringify(created.body)}`);
    accounts.push({ handle, accountId: created.body.id, postId: post.id, commentIds, conversationId: dm.conversationId, deleted: false });
  }
  return accounts;
}

/** A reply job's body: a comment or a DM, with a text no other job uses. */
function replySpec(rng, account, key) {
  const text = `chaos reply ${key}`;
  const payload =
    rng.next() < 0.5
      ? { kind: 'comment', targetId: rng.pick(account.commentIds), postId: account.postId, text }
      : { kind: 'dm', targetId: account.conversationId, text };
  return { type: 'reply', accountId: account.accountId, payload, text };
}

/**
 * The jobs sent during the fault window, in order: crawls and replies about evenly, a few repeated
 * logins, and `batchSize` of them as one batch (its children, in the middle of the stream).
 */
export function planJobs(rng, { count, accounts, seed, batchSize }) {
  const plan = [];
  for (let n = 0; n < count; n += 1) {
    const key = `chaos-${seed}-${n}`;
    const account = rng.pick(accounts);
    const roll = rng.next();
    // A few crawls are cancelled soon after they are sent: a cancel the master accepted must stick.
    if (roll < 0.03) plan.push({ key, type: 'crawl', accountId: account.accountId, payload: {}, cancelAfterMs: rng.int(0, 1500) });
    else if (roll < 0.47) plan.push({ key, type: 'crawl', accountId: account.accountId, payload: {} });
    else if (roll < 0.97) plan.push({ key, ...replySpec(rng, account, key) });
    else plan.push({ key, type: 'login', accountId: account.accountId, payload: {} });
  }
  const at = Math.floor((count - batchSize) / 2);
  return { jobs: plan.slice(0, at).concat(plan.slice(at + batchSize)), batch: plan.slice(at, at + batchSize), batchAt: at };
}

/** Sends one job until the master takes it; the idempotency key makes a repeat harmless. */
export async function submitJob(api, spec, maxAttempts) {
  const res = await api.persist(
    'POST',
    '/jobs',
    { type: spec.type, accountId: spec.accountId, payload: spec.payload, maxAttempts, idempotencyKey: spec.key },
    300_000,
  );
  if (res.status !== 201 && res.status !== 200) throw new Error(`job ${spec.key} refused: ${res.status} ${JSON.stringify(res.body)}`);
  spec.jobId = res.body.id;
  return spec;
}

/** Asks the master to cancel a job; `cancelAccepted` records whether it took the request. */
export async function cancelJob(api, spec) {
  await sleep(spec.cancelAfterMs);
  const res = await api.persist('POST', `/jobs/${spec.jobId}/cancel`, undefined, 60_000);
  spec.cancelAccepted = res.status === 200 || res.status === 202;
  spec.cancelAnsweredAt = Date.now();
  return spec;
}

export async function submitBatch(api, children, maxAttempts, key) {
  const body = {
    idempotencyKey: key,
    children: children.map((c) => ({ type: c.type, accountId: c.accountId, payload: c.payload, maxAttempts, idempotencyKey: c.key })),
  };
  const res = await api.persist('POST', '/batches', body, 300_000);
  if (res.status !== 201 && res.status !== 200) throw new Error(`batch ${key} refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Logs every account in before the faults begin (a failed login would fail its account's later jobs for a reason of its own). */
export async function loginAll(api, accounts, maxAttempts, seed) {
  const specs = accounts.map((a) => ({ key: `chaos-${seed}-login-${a.handle}`, type: 'login', accountId: a.accountId, payload: {} }));
  await Promise.all(specs.map((s) => submitJob(api, s, maxAttempts)));
  const until = Date.now() + 60_000 + accounts.length * 5_000;
  for (;;) {
    const views = await Promise.all(specs.map((s) => api.persist('GET', `/jobs/${s.jobId}`)));
    const open = views.filter((v) => !['succeeded', 'failed', 'cancelled'].includes(v.body.status));
    const failed = views.filter((v) => v.body.status !== 'succeeded' && !open.includes(v));
    if (failed.length > 0) throw new Error(`warm-up logins failed: ${failed.map((v) => `${v.body.id} ${v.body.status} ${v.body.error?.code}`).join(', ')}`);
    if (open.length === 0) break;
    if (Date.now() > until) throw new Error(`warm-up logins still open: ${open.length}`);
    progress(`warm-up: ${specs.length - open.length}/${specs.length} logins done`);
    await sleep(2000);
  }
  return specs;
}
