import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, ClientRequest, FleetError, type JobView } from '@fleetwright/shared/contract';
import { EventClient, FleetApiError, RestClient } from '@fleetwright/client';
import { FleetHarness } from '../../../test/support/fleet-harness.js';
import { waitFor } from '../../../test/support/wait-for.js';

describe('the typed client against a real fleet', () => {
  let fleet: FleetHarness;
  const sockets: EventClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await fleet?.close();
  });

  it('drives accounts and jobs over REST and rebuilds refusals as FleetErrors naming the field', async () => {
    fleet = await new FleetHarness().start();
    const api = new RestClient({ baseUrl: fleet.master.url, token: fleet.apiToken });
    const account = await api.accounts.create({ platform: 'sandbox', label: 'a1', credentials: { username: 'u1', password: 'client-secret-1' } });
    expect(account.credentials).toEqual({ username: 'u1', password: '********' });
    expect((await api.accounts.list()).items.map((a) => a.id)).toEqual([account.id]);
    expect((await api.accounts.update(account.id, { label: 'a2' })).label).toBe('a2');

    const refusal = await api.jobs.create({ type: 'crawl' } as never).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(FleetApiError);
    expect(refusal).toBeInstanceOf(FleetError);
    expect(refusal).toMatchObject({ httpStatus: 400, code: 'VALIDATION_FAILED', field: 'accountId' });
    await expect(api.jobs.get('nope')).rejects.toMatchObject({ httpStatus: 404, code: 'JOB_NOT_FOUND' });
    await expect(new RestClient({ baseUrl: fleet.master.url, token: 'wrong' }).accounts.list()).rejects.toMatchObject({
      httpStatus: 401,
      code: 'UNAUTHORIZED',
    });
    expect((await api.health()).accounts.total).toBe(1);
  });

  it('creates a job over /client and follows it live to job:done', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'dora', email: 'dora@sandbox.test', password: 'dora-secret-1' });
    await fleet.startWorker('w1');
    const api = new RestClient({ baseUrl: fleet.master.url, token: fleet.apiToken });
    const account = await api.accounts.create({ platform: 'sandbox', credentials: { username: 'dora', password: 'dora-secret-1' } });

    const events = new EventClient(fleet.master.url, fleet.apiToken);
    sockets.push(events);
    await events.connect();
    const done: JobView[] = [];
    const progress: number[] = [];
    events.on(ClientEvent.JobDone, (job) => void done.push(job));
    events.on(ClientEvent.JobProgress, (p) => void progress.push(p.progress.percent));

    const job = await events.request(ClientRequest.LoginStart, { accountId: account.id, method: 'password' });
    expect(job).toMatchObject({ type: 'login', accountId: account.id, status: 'queued' });
    const finished = await waitFor('job:done for the login', () => done.find((j) => j.id === job.id), 60_000);
    expect(finished.status).toBe('succeeded');
    expect(progress).toContain(100);
    await expect(events.request(ClientRequest.JobCreate, { type: 'crawl' } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', field: 'accountId' });
  });

  it('refuses to connect with a wrong token, with the master reason', async () => {
    fleet = await new FleetHarness().start();
    const events = new EventClient(fleet.master.url, 'wrong-token');
    sockets.push(events);
    await expect(events.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
