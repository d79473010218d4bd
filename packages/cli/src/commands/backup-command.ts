import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CliError, ExitCode } from '../cli-error.js';
import { BACKUP_USAGE } from './backup-usage.js';
import { stdio, type CommandIo } from './command.js';

/**
 * A consistent copy of `master.db` taken with SQLite's online backup while the master runs (WAL
 * mode: copying the file alone could miss committed pages still in `master.db-wal`).
 */
export async function backupCommand(argv: string[], io: CommandIo = stdio, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const args = [...argv];
  const flagAt = args.indexOf('--data-dir');
  const dataDir = path.resolve(flagAt === -1 ? env.FLEET_DATA_DIR || env.DATA_DIR || 'data' : (args.splice(flagAt, 2)[1] ?? ''));
  const [target, extra] = args;
  if (!target || extra !== undefined || target.startsWith('-')) throw new CliError(`name the backup file (usage: ${BACKUP_USAGE})`);
  const source = path.join(dataDir, 'master.db');
  if (!existsSync(source)) throw new CliError(`no master database at ${source} (set FLEET_DATA_DIR or --data-dir)`, ExitCode.NoInput);
  if (existsSync(target)) throw new CliError(`${target} exists; name a new file`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const { totalPages } = await db.backup(target);
    const check = new Database(target, { readonly: true });
    try {
      const result = check.pragma('integrity_check', { simple: true });
      if (result !== 'ok') throw new CliError(`the backup ${target} fails its integrity check: ${String(result)}`, ExitCode.Failed);
    } finally {
      check.close();
    }
    io.out.write(`${target}\n`);
    io.err.write(
      `backed up ${source} (${totalPages} pages) to ${target}; keep ${path.join(dataDir, 'secrets.json')} (or FLEET_SECRET_KEY) with it: the sealed secrets open only with that key\n`,
    );
  } finally {
    db.close();
  }
}
