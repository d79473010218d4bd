import { CliError } from '../cli-error.js';
import { parseCommand } from '../command-args.js';
import { formatTable, shortTime } from '../io/table.js';
import { stdio, withApi, type CommandIo } from './command.js';

export const WORKERS_USAGE = `fleet workers list [--json]
fleet workers drain ID [--reason TEXT]
fleet workers revoke ID        (admins: revoke its credential and disconnect it; it may enroll again with the fleet token)`;

const MiB = 1024 * 1024;

export async function workersCommand(argv: string[], io: CommandIo = stdio): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list': {
      const parsed = parseCommand(rest, {}, 'fleet workers list [--json]');
      const { items } = await withApi(parsed, (api) => api.rest.workers.list());
      if (parsed.values.json) {
        io.out.write(`${JSON.stringify(items, null, 2)}\n`);
        return;
      }
      const rows = items.map((w) => [
        w.id,
        w.status,
        w.host,
        `${w.accounts}/${w.maxAccounts}`,
        w.stats?.liveContexts,
        w.stats ? `${w.stats.runningJobs}/${w.maxConcurrency}` : null,
        w.stats ? `${Math.round((w.stats.rssBytes + w.stats.browserRssBytes) / MiB)} MiB` : null,
        shortTime(w.lastHeartbeatAt),
      ]);
      io.out.write(formatTable(['id', 'status', 'host', 'accounts', 'contexts', 'jobs', 'memory', 'heartbeat'], rows));
      return;
    }
    case 'drain': {
      const parsed = parseCommand(rest, { reason: { type: 'string' } }, 'fleet workers drain ID [--reason TEXT]');
      const [id, extra] = parsed.positionals;
      if (!id || extra !== undefined) throw new CliError('name one worker to drain (usage: fleet workers drain ID [--reason TEXT])');
      const worker = await withApi(parsed, (api) => api.rest.workers.drain(id, parsed.values.reason as string | undefined));
      if (parsed.values.json) io.out.write(`${JSON.stringify(worker, null, 2)}\n`);
      io.err.write(`worker ${worker.id} is ${worker.status}: it takes no new jobs, and its accounts move once its running jobs end\n`);
      return;
    }
    case 'revoke': {
      const parsed = parseCommand(rest, {}, 'fleet workers revoke ID');
      const [id, extra] = parsed.positionals;
      if (!id || extra !== undefined) throw new CliError('name one worker (usage: fleet workers revoke ID)');
      await withApi(parsed, (api) => api.rest.workers.revokeCredential(id));
      io.err.write(`worker ${id}: credential revoked and disconnected\n`);
      return;
    }
    default:
      throw new CliError(`unknown workers command ${JSON.stringify(sub ?? '')}\nusage:\n${WORKERS_USAGE}`);
  }
}
