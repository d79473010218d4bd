import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthProxy } from '../../../test/ops/auth-proxy.js';
import { leakyPlugin, type LeakedSecrets } from './support/leaky-plugin.js';
import { MasterSide } from './support/master-side.js';
import { RunnerRig } from './support/runner-rig.js';
import { SandboxSite } from './support/sandbox-site.js';
import { waitFor } from './support/wait-for.js';
import { zipEntries } from './support/zip-entries.js';

// Characters that a form post, a URL and JSON each write differently.
const PASSWORD = 'Zebra 8841/"pw"+&secret';
const PROXY_PASSWORD = 'px-pw:9931@Q!';
const SEEDED_COOKIE = 'prefs-cookie-3f9a1c7e';
const LOCAL_STORAGE_TOKEN = 'ls-token-b7d2e19c44';

/** The ways a secret is written down: as is, URL-encoded, form-encoded and inside a JSON string. */
function writtenForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)])];
}

/** Every place (`where`) whose text holds one of `secrets` in any written form. */
function leaks(texts: { where: string; text: string }[], secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([what, secret]) =>
    writtenForms(secret).flatMap((form) => texts.filter((t) => t.text.includes(form)).map((t) => `${what} (${JSON.stringify(form)}) in ${t.where}`)),
  );
}

type TraceLine = { type: string; [key: string]: unknown };
const jsonLines = (data: Buffer | undefined): TraceLine[] =>
  (data ?? Buffer.alloc(0))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as TraceLine);

describe('JobRunner keeps the account secrets on the worker (real Chromium, sandbox and proxy)', () => {
  let site: SandboxSite;
  let proxy: AuthProxy;
  let rig: RunnerRig;
  let master: MasterSide;
  const seen = new Map<string, LeakedSecrets>();

  beforeEach(async () => {
    site = await new SandboxSite().start();
    await site.addUser('alice', PASSWORD);
    proxy = await new AuthProxy('proxy-user', PROXY_PASSWORD).start();
    rig = new RunnerRig({ plugins: [leakyPlugin(site.url, { proxyPassword: PROXY_PASSWORD, seededCookie: SEEDED_COOKIE }, seen)] });
    master = new MasterSide(path.join(rig.temp.dir, 'master-artifacts'));
    master.attach(rig.reporter);
    const host = new URL(site.url).hostname;
    rig.assign('acc-alice', {
      credentials: { username: 'alice', password: PASSWORD },
      proxy: proxy.url,
      storageState: {
        cookies: [{ name: 'prefs', value: SEEDED_COOKIE, domain: host, path: '/', expires: -1, httpOnly: false, secure: false, sameSite: 'Lax' }],
        origins: [{ origin: site.url, localStorage: [{ name: 'api_token', value: LOCAL_STORAGE_TOKEN }] }],
      },
    });
  });

  afterEach(async () => {
    await rig.close();
    await proxy.close();
    await site.close();
  });

  const jobDir = (jobId: string): string => path.join(rig.temp.dir, 'jobs', jobId);

  /** Runs one attempt of the job and waits until the runner is done with it (uploads included). */
  async function attempt(jobId: string, n: number, payload: Record<string, unknown> = {}) {
    rig.runner.accept(rig.jobRun({ jobId, accountId: 'acc-alice', type: 'leaky_login', attempt: n, payload }));
    const result = await waitFor(`attempt ${n} of ${jobId}`, () => rig.reporter.results.find((r) => r.jobId === jobId && r.attempt === n), 30_000);
    await waitFor('the runner to finish the job', () => (rig.runner.runningCount === 0 ? true : undefined), 20_000);
    const secrets = seen.get(`${jobId}#${n}`);
    expect(secrets, 'the plugin signed in and read the secrets').toBeDefined();
    return { result, secrets: secrets! };
  }

  /** Everything that left the runner for a job so far, as text: reports, live log, events, uploaded files and each trace entry. */
  function everythingSent(jobId: string): { where: string; text: string }[] {
    const texts = [
      { where: 'results', text: JSON.stringify(rig.reporter.results.filter((r) => r.jobId === jobId)) },
      { where: 'progress', text: JSON.stringify(rig.reporter.progressOf(jobId)) },
      { where: 'live log', text: JSON.stringify(rig.reporter.logReports.filter((r) => r.jobId === jobId)) },
      { where: 'events', text: JSON.stringify(master.events.filter((e) => e.payload.jobId === jobId)) },
    ];
    for (const [name, data] of master.files(jobId)) {
      texts.push({ where: name, text: data.toString('latin1') });
      if (name === 'trace.zip')
        for (const [entry, content] of zipEntries(path.join(master.dir, jobId, name)))
          texts.push({ where: `trace.zip:${entry}`, text: content.toString('latin1') });
    }
    return texts;
  }

  const secretsOf = (seenByPlugin: LeakedSecrets): Record<string, string> => ({
    password: PASSWORD,
    proxyPassword: PROXY_PASSWORD,
    proxyBasic: Buffer.from(`proxy-user:${PROXY_PASSWORD}`).toString('base64'),
    sessionCookie: seenByPlugin.sessionCookie,
    seededCookie: SEEDED_COOKIE,
    localStorageToken: LOCAL_STORAGE_TOKEN,
  });

  it('a failing login that quotes the password, proxy password and cookies reports, logs, emits and uploads none of them, on attempt 1 and on a retry with snapshots', async () => {
    const { result: first, secrets: firstSeen } = await attempt('job-leak', 1);

    // The secrets were real: the browser went through the proxy and the site gave a session.
    expect(proxy.authorized).toBeGreaterThan(0);
    expect(firstSeen.localStorageToken).toBe(LOCAL_STORAGE_TOKEN);
    expect(first).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'INTERNAL_ERROR' } });
    expect(first.status === 'failed' && first.error.message).toContain('login broke after sign-in: password [redacted] proxy [redacted] session [redacted]');
    expect(master.events.map((e) => e.event)).toEqual(['login_status']);
    expect([...master.files('job-leak').keys()].sort()).toEqual(['run.log', 'signed_in_failed.png', 'trace.zip']);
    const firstTrace = jsonLines(zipEntries(path.join(master.dir, 'job-leak', 'trace.zip')).get('trace.trace'));
    const passwordFill = firstTrace.find(
      (e) => e.type === 'before' && e.method === 'fill' && (e.params as { selector?: string }).selector?.includes('password'),
    );
    expect(passwordFill, 'the trace still shows the password being typed').toMatchObject({ params: { value: '[redacted]' } });
    expect(leaks(everythingSent('job-leak'), secretsOf(firstSeen))).toEqual([]);
    expect(existsSync(jobDir('job-leak'))).toBe(false);

    const { result: retry, secrets: retrySeen } = await attempt('job-leak', 2);

    expect(retry).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'INTERNAL_ERROR' } });
    expect(retrySeen.sessionCookie).not.toBe(firstSeen.sessionCookie);
    const entries = zipEntries(path.join(master.dir, 'job-leak', 'trace.zip'));
    const events = jsonLines(entries.get('trace.trace'));
    expect(events.some((e) => e.type === 'frame-snapshot')).toBe(true);
    // Loadable: every line still JSON, every resource the network log names still in the zip.
    const network = jsonLines(entries.get('trace.network'));
    const requests = network
      .filter((e) => e.type === 'resource-snapshot')
      .map(
        (e) =>
          e.snapshot as {
            request: { url: string; headers: { name: string; value: string }[] };
            response: { headers: { name: string; value: string }[]; content: { _sha1?: string } };
          },
      );
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) if (request.response.content._sha1) expect(entries.has(`resources/${request.response.content._sha1}`)).toBe(true);
    const headers = requests.flatMap((r) => [...r.request.headers, ...r.response.headers]);
    const cookieHeaders = headers.filter((h) => /^(cookie|set-cookie)$/i.test(h.name));
    expect(cookieHeaders.length).toBeGreaterThan(0);
    for (const header of cookieHeaders) expect(header.value).toBe('[redacted]');
    expect(leaks(everythingSent('job-leak'), { ...secretsOf(retrySeen), firstSessionCookie: firstSeen.sessionCookie })).toEqual([]);
    expect(existsSync(jobDir('job-leak'))).toBe(false);
  });

  it('a succeeding job whose result quotes the secrets deep inside, even as a key, reports it scrubbed', async () => {
    const { result, secrets } = await attempt('job-ok', 1, { fail: false });

    expect(result.status).toBe('succeeded');
    const reported = result.status === 'succeeded' ? (result.result as { quoted: string; nested: Record<string, unknown> }) : undefined;
    expect(reported?.quoted).toMatch(/^password \[redacted\] proxy \[redacted\] session \[redacted\] token \[redacted\] prefs \[redacted\]$/);
    expect(reported?.nested.list).toEqual([{ deep: { text: reported?.quoted } }, '[redacted]']);
    expect(reported?.nested['[redacted]']).toBe('keyed by the cookie');
    expect(leaks(everythingSent('job-ok'), secretsOf(secrets))).toEqual([]);
    // A success's run.log follows its result; then the worker's copy goes.
    expect(existsSync(jobDir('job-ok'))).toBe(false);
    expect([...master.files('job-ok').keys()]).toEqual(['run.log']);
  });
});
