import { afterEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '@fleetwright/sandbox';
import { ClientEvent, ClientRequest, WAITING_FOR_A_PERSON, createLogger, findChromium } from '@fleetwright/shared';
import { Worker, createSandboxPlugin } from '@fleetwright/worker';
import { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ name: 'test', console: false });
const API_TOKEN_ID = 'env:FLEET_API_TOKEN';

async function request(client: ClientEventRecorder, event: string, payload: unknown): Promise<{ ok: boolean; data?: unknown; error?: { code: string } }> {
  return (client.socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<any> }).emitWithAck(event, payload);
}

/**
 * A real master process killed with SIGKILL and started again on the same port and data, while a
 * real worker (in this process, Chromium against the sandbox) runs a second-factor login that asks
 * for a person.
 */
describe('people in the loop across a master restart', () => {
  let proc: MasterProcess | undefined;
  let sandbox: SandboxServer | undefined;
  let worker: Worker | undefined;
  let temp: { dir: string; remove(): void } | undefined;
  const clients: ClientEventRecorder[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await worker?.close();
    await proc?.close();
    await sandbox?.close();
    temp?.remove();
    worker = proc = sandbox = temp = undefined;
  });

  /** A 2FA login job that waits for a person, on a fleet whose master runs in its own process. */
  async function jobWaitingForAPerson(): Promise<{ accountId: string; jobId: string }> {
    temp = makeTempDir();
    sandbox = new SandboxServer();
    await sandbox.start();
    await fetch(`${sandbox.url}/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'tess', email: 'tess@sandbox.test', password: 'tess-secret-1', secondFactor: true }),
    });
    proc = await MasterProcess.create({ heartbeatIntervalMs: 300 });
    await proc.start();
    worker = new Worker({
      workerId: 'w1',
      masterUrl: proc.url,
      token: proc.workerToken,
      dataDir: `${temp.dir}/w1`,
      chromiumPath: findChromium(),
      plugins: [createSandboxPlugin({ baseUrl: sandbox.url })],
      maxConcurrency: 2,
      maxLiveContexts: 4,
      drainTimeoutMs: 5000,
      logger: quiet,
    });
    worker.start();
    await waitFor('worker w1 online', async () =>
      (await proc!.api('GET', '/workers')).body.items.some((w: any) => w.id === 'w1' && w.status === 'online') ? true : undefined,
    );
    const accountId = (await proc.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'tess', password: 'tess-secret-1' } })).body
      .id as string;
    const jobId = (await proc.api('POST', '/jobs', { type: 'login', accountId, payload: { humanTimeoutMs: 600_000 } })).body.id as string;
    await waitFor('the job to wait for a person', async () =>
      (await proc!.api('GET', `/jobs/${jobId}`)).body.progress?.step === WAITING_FOR_A_PERSON ? true : undefined,
    );
    return { accountId, jobId };
  }

  async function restartMaster(): Promise<void> {
    await proc!.kill();
    await proc!.start();
    await waitFor('the worker to be back online', async () =>
      (await proc!.api('GET', '/workers')).body.items.some((w: any) => w.id === 'w1' && w.status === 'online') ? true : undefined,
    );
  }

  /** Reads the code from the sandbox's phone page, types it through the forwarded keyboard and hands back. */
  async function typeTheCodeAndHandBack(client: ClientEventRecorder, accountId: string): Promise<void> {
    const phone = await fetch(`${sandbox!.url}/phone/tess`).then((r) => r.text());
    const code = /id="phone-code">(\d{6})</.exec(phone)?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    expect(await request(client, ClientRequest.LiveInput, { accountId, input: { type: 'text', text: code } })).toEqual({ ok: true });
    expect(await request(client, ClientRequest.LiveInput, { accountId, input: { type: 'key', action: 'press', key: 'Enter' } })).toEqual({ ok: true });
    expect((await proc!.api('DELETE', `/accounts/${accountId}/takeover`)).status).toBe(200);
  }

  it('a job waiting for a person still shows it, is announced again to clients, and can be claimed and finished', async () => {
    const { accountId, jobId } = await jobWaitingForAPerson();
    await restartMaster();
    const client = await ClientEventRecorder.connect(proc!.url, proc!.apiToken);
    clients.push(client);

    const asked = await client.next(ClientEvent.HumanNeeded, (e) => e.jobId === jobId, 10_000);
    expect(asked).toMatchObject({ accountId, reason: expect.stringContaining('sign-in code from the phone of tess') });
    expect(Date.parse(asked.expiresAt)).toBeGreaterThan(Date.now());
    expect((await proc!.api('GET', `/jobs/${jobId}`)).body).toMatchObject({ status: 'running', attempt: 1, progress: { step: WAITING_FOR_A_PERSON } });

    expect((await proc!.api('POST', `/accounts/${accountId}/takeover`)).body).toMatchObject({ jobId, heldBy: API_TOKEN_ID });
    await typeTheCodeAndHandBack(client, accountId);
    expect(await waitForEnd(jobId)).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('a takeover in progress stays with its holder: they type on and hand back, and the timeline has one claim and one release', async () => {
    const { accountId, jobId } = await jobWaitingForAPerson();
    const claim = (await proc!.api('POST', `/accounts/${accountId}/takeover`)).body;
    expect(claim).toMatchObject({ jobId, heldBy: API_TOKEN_ID });
    await restartMaster();

    const held = await waitFor('the takeover to be known again', async () => {
      const view = (await proc!.api('GET', `/accounts/${accountId}/takeover`)).body;
      return view.heldBy ? view : undefined;
    });
    expect(held).toEqual({ accountId, jobId, heldBy: API_TOKEN_ID, claimedAt: claim.claimedAt });
    // Someone else may not take it meanwhile: the person still holds it.
    const operatorToken = (await proc!.api('POST', '/tokens', { name: 'another operator', role: 'operator' })).body.token as string;
    const stolen = await fetch(`${proc!.url}/api/v1/accounts/${accountId}/takeover`, { method: 'POST', headers: { authorization: `Bearer ${operatorToken}` } });
    expect(stolen.status).toBe(409);

    const client = await ClientEventRecorder.connect(proc!.url, proc!.apiToken);
    clients.push(client);
    await typeTheCodeAndHandBack(client, accountId);
    expect(await waitForEnd(jobId)).toMatchObject({ status: 'succeeded', attempt: 1 });
    const timeline = (await proc!.api('GET', `/jobs/${jobId}/events?limit=100`)).body.items as { kind: string; data: any }[];
    expect(timeline.filter((e) => e.kind === 'takeover_claimed')).toHaveLength(1);
    const released = timeline.filter((e) => e.kind === 'takeover_released');
    expect(released).toHaveLength(1);
    expect(released[0]!.data).toMatchObject({ by: API_TOKEN_ID, reason: 'done', heldMs: expect.any(Number) });
  });

  function waitForEnd(jobId: string): Promise<any> {
    return waitFor(
      `job ${jobId} to end`,
      async () => {
        const job = (await proc!.api('GET', `/jobs/${jobId}`)).body;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
      },
      60_000,
      100,
    );
  }
});
