#!/usr/bin/env node
import { runMaster } from '@fleetwright/master';
import { runWorker } from '@fleetwright/worker';
import { runDemo } from './demo.js';

const USAGE = `usage: fleet <command>

  master   run a master (REST + Socket.IO + SQLite) on PORT
  worker   run a worker that joins FLEET_MASTER_URL with FLEET_WORKER_TOKEN
  demo     the embedded default: sandbox site + master + two workers (what npm start runs)
`;

async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  switch (command) {
    case 'master':
      return runMaster();
    case 'worker':
      return runWorker();
    case 'demo':
      return runDemo();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`fleet: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      process.exit(64);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`fleet: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
