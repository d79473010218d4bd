import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@fleetwright/shared';
import { WorkerCredential } from '@fleetwright/worker';
import { FleetHarness } from '../support/fleet-harness.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ name: 'test', console: false });

describe('a worker enrolls itself once and keeps its own credential', () => {
  let fleet: FleetHarness | undefined;
  afterEach(async () => {
    await fleet?.close();
  });

  it('enrolls with the fleet token, keeps the credential 0600 in its data dir, runs with it, and enrolls again after an admin revokes it', async () => {
    fleet = await new FleetHarness().start();
    const dataDir = path.join(fleet.temp.dir, 'enrolled');
    const credentials = new WorkerCredential({
      masterUrl: fleet.master.url,
      workerId: 'enrolled',
      dataDir,
      fleetToken: async () => fleet!.workerToken,
      logger: quiet,
    });
    const credential = await credentials.obtain();
    const file = path.join(dataDir, 'credential.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ workerId: 'enrolled', credential });
    // A restart reads the kept credential instead of enrolling again.
    expect(
      await new WorkerCredential({ masterUrl: fleet.master.url, workerId: 'enrolled', dataDir, fleetToken: async () => undefined, logger: quiet }).obtain(),
    ).toBe(credential);

    await fleet.startWorker('enrolled', { token: credential, renewToken: () => credentials.renew(), dataDir });
    // Once the credential is in use the fleet token no longer enrolls the id.
    const again = await fetch(`${fleet.master.url}/api/v1/worker/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fleet.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'enrolled' }),
    });
    expect(again.status).toBe(409);

    expect((await fleet.api('DELETE', '/workers/enrolled/credential')).status).toBe(204);
    await waitFor(
      'the worker enrolled again with a new credential',
      async () => {
        const kept = JSON.parse(readFileSync(file, 'utf8')) as { credential: string };
        return kept.credential !== credential ? kept : undefined;
      },
      30_000,
    );
    await waitFor(
      'the worker is back online',
      async () => {
        const res = await fleet!.api('GET', '/workers/enrolled');
        return res.body.status === 'online' ? res.body : undefined;
      },
      30_000,
    );
  });
});
