import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { STOPPED_BROWSER } from '@fleetwright/shared';
import { PostgresBackend, restJobLinks, type PostgresBackendOptions } from '@fleetwright/master';
import { PostgresCluster } from '../support/postgres-cluster.js';
import { describeBackendConformance } from './backend-conformance.js';
import { ADMIN_TOKEN, FLEET_TOKEN } from './conformance-setup.js';

let cluster: PostgresCluster;
/** A database the backend has migrated, copied for each test (migrating each one costs most of a test). */
let migrated: Promise<string> | undefined;
beforeAll(async () => {
  cluster = await PostgresCluster.start();
});
afterAll(() => cluster?.stop());

function options(dir: string): PostgresBackendOptions {
  return {
    secretKey: Buffer.alloc(32, 7),
    adminToken: ADMIN_TOKEN,
    workerToken: FLEET_TOKEN,
    artifactsDir: path.join(dir, 'artifacts'),
    jobLinks: restJobLinks,
    // Live browser states are memory only and fed by workers; none run here.
    browsers: { view: () => STOPPED_BROWSER, forget: () => undefined },
  };
}

function migratedTemplate(dir: string): Promise<string> {
  migrated ??= (async () => {
    const { name, url } = await cluster.createDatabase();
    await (await PostgresBackend.open(url, options(dir))).close();
    return name;
  })();
  return migrated;
}

/** The next test's database is copied while this one runs. */
let spare: Promise<{ name: string; url: string }> | undefined;

async function freshDatabase(dir: string): Promise<{ name: string; url: string }> {
  const template = await migratedTemplate(dir);
  const next = spare ?? cluster.createDatabase(template);
  spare = cluster.createDatabase(template);
  // The last spare is never used: the cluster stops under it.
  spare.catch(() => undefined);
  return next;
}

describeBackendConformance('PostgreSQL', {
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-conformance-pg-'));
    const database = await freshDatabase(dir);
    const backend = await PostgresBackend.open(database.url, options(dir));
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
