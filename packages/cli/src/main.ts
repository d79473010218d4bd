#!/usr/bin/env node
import { CliError, ExitCode } from './cli-error.js';
import { describeFailure } from './io/error-line.js';
import { DEFAULT_API_URL } from './api-context.js';
import { ACCOUNTS_USAGE } from './commands/accounts-command.js';
import { JOBS_USAGE } from './commands/jobs-command.js';
import { WORKERS_USAGE } from './commands/workers-command.js';
import { TOKENS_USAGE } from './commands/tokens-command.js';
import { BACKUP_USAGE } from './commands/backup-usage.js';
import { MIGRATE_STORE_USAGE } from './commands/migrate-store-usage.js';

const USAGE = `usage: fleet <command>

Run the fleet:
  fleet master     a master (REST + Socket.IO + SQLite) on PORT
  fleet worker     a worker that joins FLEET_MASTER_URL with FLEET_WORKER_TOKEN
  fleet demo       the embedded default: sandbox site + master + two workers (what npm start runs)

Drive it (FLEET_API_URL, default http://127.0.0.1:3000; FLEET_API_TOKEN or --token-file):
${[ACCOUNTS_USAGE, JOBS_USAGE, WORKERS_USAGE, TOKENS_USAGE].join('\n').replace(/^/gm, '  ')}

Every API command takes --api-url URL, --token-file FILE|- and --json.

Operate it:
  ${BACKUP_USAGE}
  ${MIGRATE_STORE_USAGE}
`;

/** The roles load Playwright, SQLite and the sandbox only when asked for: API commands start fast. */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'master':
      return (await import('@fleetwright/master')).runMaster();
    case 'worker':
      return (await import('@fleetwright/worker')).runWorker();
    case 'demo':
      return (await import('./demo.js')).runDemo();
    case 'accounts':
      return (await import('./commands/accounts-command.js')).accountsCommand(rest);
    case 'jobs':
      return (await import('./commands/jobs-command.js')).jobsCommand(rest);
    case 'workers':
      return (await import('./commands/workers-command.js')).workersCommand(rest);
    case 'tokens':
      return (await import('./commands/tokens-command.js')).tokensCommand(rest);
    case 'backup':
      return (await import('./commands/backup-command.js')).backupCommand(rest);
    case 'migrate-store':
      return (await import('./commands/migrate-store-command.js')).migrateStoreCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      throw new CliError(`unknown command ${JSON.stringify(command)} (fleet help lists them)`);
  }
}

const argv = process.argv.slice(2);
const isRole = ['master', 'worker', 'demo'].includes(argv[0] ?? '');
main(argv).then(
  () => {
    // API commands are done; a role keeps running until its signal handlers end it.
    if (!isRole) process.exitCode = ExitCode.Ok;
  },
  (error: unknown) => {
    const flagAt = argv.indexOf('--api-url');
    const flag = argv.find((a) => a.startsWith('--api-url='))?.slice('--api-url='.length) ?? (flagAt === -1 ? undefined : argv[flagAt + 1]);
    const apiUrl = flag || process.env.FLEET_API_URL || DEFAULT_API_URL;
    const { line, exitCode } = describeFailure(error, isRole ? undefined : apiUrl);
    process.stderr.write(`fleet: ${line}\n`);
    process.exit(exitCode);
  },
);
