import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthProxy } from '../ops/auth-proxy.js';
import { leakyPlugin, type LeakedSecrets } from '../../packages/worker/test/support/leaky-plugin.js';
import { zipEntries } from '../../packages/worker/test/support/zip-entries.js';
import { ClientEvent } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { FleetHarness } from '../support/fleet-harness.js';

// Characters that a form post, a URL and JSON each write differently.
const PASSWORD = 'Canary 7731/"pw"+&leak';
const PROXY_PASSWORD = 'px-canary:5519@Z!';
const SEEDED_COOKIE = 'seeded-cookie-5c1e9a7b';

function writtenForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)])];
}

/** Every file under `dir`, zip archives opened, as text. */
function filesUnder(dir: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, name);
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    const data = readFileSync(file);
    out.push({ where: file, text: data.toString('latin1') });
    if (data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
      for (const [entry, content] of zipEntries(file)) out.push({ where: `${file}!${entry}`, text: content.toString('utf8') });
    }
  }
  return out;
}

describe('no secret of an account leaves: a failing login greps clean everywhere', () => {
  let fleet: FleetHarness | undefined;
  let proxy: AuthProxy | undefined;
  let recorder: ClientEventRecorder | undefined;
  afterEach(async () => {
    recorder?.close();
    await fleet?.close();
    await proxy?.close();
  });

  it('keeps the password, proxy password and session values out of every REST answer, /client event, artifact and file under the data dirs', async () => {
    fleet = await new FleetHarness({ retryBaseMs: 50 }).start();
    await fleet.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: PASSWORD });
    proxy = await new AuthProxy('proxy-user', PROXY_PASSWORD).start();
    const seen = new Map<string, LeakedSecrets>();
    // Full traces: DOM snapshots and network from the first attempt, where the session lives.
    await fleet.startWorker('w1', {
      plugins: [leakyPlugin(fleet.sandbox.url, { proxyPassword: PROXY_PASSWORD, seededCookie: SEEDED_COOKIE }, seen)],
      trace: 'full',
    });
    recorder = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    const viewer = (await fleet.api('POST', '/tokens', { name: 'viewer', role: 'viewer' })).body.token as string;
    const account = (
      await fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'alice', credentials: { username: 'alice', password: PASSWORD }, proxy: proxy.url })
    ).body;
    const created = await fleet.api('POST', '/jobs', { type: 'leaky_login', accountId: account.id, payload: { fail: true } });
    expect(created.status).toBe(201);
    const job = await fleet.waitForJob(created.body.id, ['failed'], 120_000);
    const session = [...seen.values()].map((s) => s.sessionCookie);
    expect(session.length, 'the plugin signed in on every attempt').toBe(job.attempt);

    const texts: { where: string; text: string }[] = [];
    for (const route of [
      '/jobs',
      `/jobs/${job.id}`,
      `/jobs/${job.id}/events?limit=500`,
      `/jobs/${job.id}/log`,
      '/accounts',
      `/accounts/${account.id}`,
      '/messages',
      '/workers',
      '/stats/jobs-per-minute',
    ]) {
      for (const token of [fleet.apiToken, viewer])
        texts.push({ where: `GET ${route}`, text: JSON.stringify((await fleet.api('GET', route, undefined, token)).body) });
    }
    for (const route of ['/health', '/metrics']) texts.push({ where: `GET ${route}`, text: await (await fetch(`${fleet.master.url}${route}`)).text() });
    const artifacts = job.artifacts ?? [];
    expect(artifacts.map((a) => a.name)).toEqual(expect.arrayContaining(['run.log', 'trace.zip']));
    const downloads = path.join(fleet.temp.dir, 'downloads');
    mkdirSync(downloads);
    for (const artifact of artifacts) {
      const res = await fetch(`${fleet.master.url}${artifact.url}`, { headers: { authorization: `Bearer ${fleet.apiToken}` } });
      expect(res.status, artifact.name).toBe(200);
      const file = path.join(downloads, artifact.name);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    }
    texts.push({ where: '/client events', text: JSON.stringify(Object.values(ClientEvent).map((event) => recorder!.all(event))) });
    // The master's and the worker's data dirs, logs, profiles and the downloaded artifacts (traces unzipped).
    texts.push(...filesUnder(fleet.temp.dir));

    const secrets: Record<string, string> = {
      password: PASSWORD,
      'proxy password': PROXY_PASSWORD,
      ...Object.fromEntries(session.map((s, i) => [`session cookie ${i + 1}`, s])),
    };
    const leaks = Object.entries(secrets).flatMap(([what, secret]) =>
      writtenForms(secret).flatMap((form) => texts.filter((t) => t.text.includes(form)).map((t) => `${what} in ${t.where}`)),
    );
    expect(leaks).toEqual([]);
    // The check saw the things that could have leaked.
    expect(texts.some((t) => t.where.endsWith('!trace.trace'))).toBe(true);
    expect(texts.some((t) => t.where.includes('master.db'))).toBe(true);
  });
});
