import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, ClientRequest, type JobView } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { BROWSER_MODES } from '../support/browser-modes.js';
import { FleetHarness } from '../support/fleet-harness.js';
import { decodeQrDataUrl } from '../support/qr-decode.js';
import { waitFor } from '../support/wait-for.js';

describe.each(BROWSER_MODES)('QR login end to end: the QR code travels worker → master → client, a phone approves it (%s mode)', (browserMode) => {
  let fleet: FleetHarness | undefined;
  let client: ClientEventRecorder | undefined;
  afterEach(async () => {
    client?.close();
    await fleet?.close();
  });

  it('signs in once the token decoded from the QR image the client received is approved', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: 'alice-secret-1' });
    await fleet.startWorker('w1', { browserMode });
    client = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    // No credentials: a QR login needs none.
    const account = await fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'alice by QR' });
    expect(account.status).toBe(201);

    const ack = (await client.socket.timeout(10_000).emitWithAck(ClientRequest.LoginStart, { accountId: account.body.id, method: 'qr' })) as {
      ok: boolean;
      data: JobView;
    };
    expect(ack).toMatchObject({ ok: true, data: { type: 'login', payload: { method: 'qr' } } });
    const jobId = ack.data.id;

    const qr = await client.next(ClientEvent.LoginQrCode, (e) => e.jobId === jobId);
    expect(qr.accountId).toBe(account.body.id);
    const token = decodeQrDataUrl(qr.dataUrl);
    // A late reader gets the same code over REST.
    expect((await fleet.api('GET', `/jobs/${jobId}/qrcode`)).body).toEqual({ jobId, dataUrl: qr.dataUrl });
    await client.next(ClientEvent.LoginStatus, (e) => e.jobId === jobId && e.status === 'waiting_scan');
    // Nothing happens until the phone approves: the job waits at its wait_for_scan step.
    const waiting = await waitFor(
      'the job to wait for the scan',
      async () => {
        const job = (await fleet!.api('GET', `/jobs/${jobId}`)).body as JobView;
        return job.progress.step === 'wait_for_scan' ? job : undefined;
      },
      10_000,
    );
    expect(waiting.status).toBe('running');

    const approved = await fleet.sandboxAdmin('/qr/approve', { token, user: 'alice' });
    expect(approved).toEqual({ token, status: 'approved', user: 'alice' });

    const done = await fleet.waitForJob(jobId);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1, result: { loggedIn: true, skipped: false, handle: 'alice', method: 'qr' } });
    await client.next(ClientEvent.LoginStatus, (e) => e.jobId === jobId && e.status === 'success');
    expect(client.all(ClientEvent.LoginStatus, (e) => e.jobId === jobId).map((e) => e.status)).toEqual(['waiting_scan', 'success']);
    expect(client.all(ClientEvent.LoginQrCode, (e) => e.jobId === jobId)).toHaveLength(1);

    const after = await fleet.api('GET', `/accounts/${account.body.id}`);
    expect(after.body).toMatchObject({ hasStorageState: true, steps: { login: { status: 'success' } } });
    // The site agrees: one session, alice's, made by the worker's browser; the token is spent.
    const sessions = [...fleet.sandbox.store.sessions.values()];
    expect(sessions.map((s) => fleet!.sandbox.store.users.get(s.userId)?.handle)).toEqual(['alice']);
    expect(fleet.sandbox.store.qrLogins.statusOf(token)).toBe('consumed');
  });
});
