import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { STOPPED_BROWSER } from '@fleetwright/shared';
import { PostgresBackend, restJobLinks } from '@fleetwright/master';
import { PostgresCluster } from '../support/postgres-cluster.js';
import { describeBackendConformance } from './backend-conformance.js';
import { ADMIN_TOKEN, FLEET_TOKEN } from './conformance-setup.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await PostgresCluster.start();
});
afterAll(() => cluster?.stop());

describeBackendConformance('PostgreSQL', {
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-conformance-pg-'));
    const database = await cluster.createDatabase();
    const backend = await PostgresBackend.open(database.url, {
      secretKey: Buffer.alloc(32, 7),
      adminToken: ADMIN_TOKEN,
      workerToken: FLEET_TOKEN,
      artifactsDir: path.join(dir, 'artifacts'),
      jobLinks: restJobLinks,
      // Live browser states are memory only and fed by workers; none run here.
      browsers: { view: () => STOPPED_BROWSER, forget: () => undefined },
    });
    return {
      backend,
      async dispose() {
        await backend.close();
        await cluster.dropDatabase(database.name);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
