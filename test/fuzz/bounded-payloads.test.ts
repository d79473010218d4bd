/**
 * Hostile shapes at a real master: a payload thousands of levels deep or bigger than its bound is
 * refused at the edge (REST and `/client`), naming the field, and the job list keeps answering.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Master } from '@fleetwright/master';
import { ClientRequest, Namespace, createLogger, type Ack } from '@fleetwright/shared';
import { makeTempDir } from '../support/temp-dir.js';

const quiet = createLogger({ name: 'bounded-payloads-test', console: false });

/** The JSON text of `{ "a": { "a": … {} } }`, `levels` deep: JSON.stringify itself overflows on it. */
function deepJson(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

describe('a master refuses payloads too deep or too big, and its job list stays up', () => {
  const temp = makeTempDir('fleet-bounded-');
  const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
  let master: Master;
  let accountId: string;
  let client: Socket | undefined;

  async function api(method: string, route: string, body?: string): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { authorization: `Bearer ${apiToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${master.url}/api/v1${route}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function expectJobListUp(): Promise<void> {
    const list = await api('GET', '/jobs');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
  }

  beforeEach(async () => {
    master = new Master({
      dataDir: `${temp.dir}/master`,
      port: 0,
      host: '127.0.0.1',
      secretKey: randomBytes(32),
      workerToken: `fww_${randomBytes(12).toString('hex')}`,
      apiToken,
      logger: quiet,
    });
    await master.start();
    const account = await api('POST', '/accounts', JSON.stringify({ platform: 'sandbox' }));
    expect(account.status).toBe(201);
    accountId = account.body.id as string;
  });

  afterEach(async () => {
    client?.disconnect();
    client = undefined;
    await master?.close();
    temp.remove();
  });

  it.each([3_900, 4_500, 50_000])('refuses a job payload %i levels deep with 413 TOO_LARGE naming payload', async (levels) => {
    const res = await api('POST', '/jobs', `{"type":"login","accountId":"${accountId}","payload":${deepJson(levels)}}`);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 'TOO_LARGE', message: 'payload: is nested deeper than 32 levels', field: 'payload' });
    await expectJobListUp();
  });

  it('refuses a payload bigger than 256 KB, naming payload', async () => {
    const res = await api('POST', '/jobs', JSON.stringify({ type: 'login', accountId, payload: { blob: 'x'.repeat(300 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 'TOO_LARGE', message: 'payload: is bigger than 256 KB as JSON', field: 'payload' });
    await expectJobListUp();
  });

  it('refuses deep payloads in a batch child, a flow and a monitor, naming each field', async () => {
    const deep = deepJson(3_900);
    const batch = await api('POST', '/batches', `{"children":[{"type":"login","accountId":"${accountId}","payload":${deep}}]}`);
    expect(batch.body).toMatchObject({ code: 'TOO_LARGE', field: 'children.0.payload' });
    const flow = await api(
      'POST',
      '/flows/invite',
      `{"ownerAccountId":"${accountId}","members":[{"accountId":"${accountId}","email":"a@example.com"}],"invitePayload":${deep}}`,
    );
    expect(flow.body).toMatchObject({ code: 'TOO_LARGE', field: 'invitePayload' });
    const monitor = await api('POST', '/monitors', `{"accountId":"${accountId}","payload":${deep}}`);
    expect(monitor.body).toMatchObject({ code: 'TOO_LARGE', field: 'payload' });
    expect([batch.status, flow.status, monitor.status]).toEqual([413, 413, 413]);
    await expectJobListUp();
    expect((await api('GET', '/monitors')).body).toEqual({ items: [], nextCursor: null });
  });

  it('acknowledges a deep /client job:create with TOO_LARGE naming payload, and keeps the socket', async () => {
    client = io(`${master.url}${Namespace.Client}`, { auth: { token: apiToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      client!.once('connect', resolve);
      client!.once('connect_error', reject);
    });
    const payload = JSON.parse(deepJson(3_900)) as unknown;
    const ack = (await client.timeout(10_000).emitWithAck(ClientRequest.JobCreate, { type: 'login', accountId, payload })) as Ack<unknown>;
    expect(ack).toEqual({ ok: false, error: { code: 'TOO_LARGE', message: 'payload: is nested deeper than 32 levels', field: 'payload', retryable: false } });
    expect(client.connected).toBe(true);
    await expectJobListUp();
  });
});
