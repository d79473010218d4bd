import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FleetStore, SqliteBackend, restJobLinks } from '@fleetwright/master';
import { describeBackendConformance } from './backend-conformance.js';
import { ADMIN_TOKEN, FLEET_TOKEN } from './conformance-setup.js';

describeBackendConformance('SQLite', {
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-conformance-'));
    const store = new FleetStore(path.join(dir, 'master.db'), Buffer.alloc(32, 7), { adminToken: ADMIN_TOKEN, jobLinks: restJobLinks });
    const backend = new SqliteBackend(store, { artifactsDir: path.join(dir, 'artifacts'), workerToken: FLEET_TOKEN });
    return {
      backend,
      async dispose() {
        await backend.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
