import { CliError } from '../cli-error.js';
import { parseCommand } from '../command-args.js';
import { formatTable, shortTime } from '../io/table.js';
import { stdio, withApi, type CommandIo } from './command.js';

export const TOKENS_USAGE = `fleet tokens create NAME --role admin|operator|viewer [--json]
fleet tokens list [--json]
fleet tokens revoke ID`;

const ROLES = ['admin', 'operator', 'viewer'] as const;

export async function tokensCommand(argv: string[], io: CommandIo = stdio): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const usage = 'fleet tokens create NAME --role admin|operator|viewer [--json]';
      const parsed = parseCommand(rest, { role: { type: 'string' } }, usage);
      const [name, extra] = parsed.positionals;
      const role = parsed.values.role as string | undefined;
      if (!name || extra !== undefined) throw new CliError(`name the token (usage: ${usage})`);
      if (!role || !(ROLES as readonly string[]).includes(role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
      const created = await withApi(parsed, (api) => api.rest.tokens.create(name, role as (typeof ROLES)[number]));
      // The token alone on stdout, so `TOKEN=$(fleet tokens create ...)` works; it is shown this once.
      if (parsed.values.json) io.out.write(`${JSON.stringify(created, null, 2)}\n`);
      else io.out.write(`${created.token}\n`);
      io.err.write(`created ${created.role} token ${created.id} (${created.name}); the master keeps only its hash, so store it now\n`);
      return;
    }
    case 'list': {
      const parsed = parseCommand(rest, {}, 'fleet tokens list [--json]');
      const { items } = await withApi(parsed, (api) => api.rest.tokens.list());
      if (parsed.values.json) io.out.write(`${JSON.stringify(items, null, 2)}\n`);
      else
        io.out.write(
          formatTable(
            ['id', 'name', 'role', 'created', 'revoked'],
            items.map((t) => [t.id, t.name, t.role, shortTime(t.createdAt), t.revokedAt ? shortTime(t.revokedAt) : null]),
          ),
        );
      return;
    }
    case 'revoke': {
      const parsed = parseCommand(rest, {}, 'fleet tokens revoke ID');
      const [id, extra] = parsed.positionals;
      if (!id || extra !== undefined) throw new CliError('name one token id to revoke (usage: fleet tokens revoke ID)');
      await withApi(parsed, (api) => api.rest.tokens.revoke(id));
      io.err.write(`revoked token ${id}\n`);
      return;
    }
    default:
      throw new CliError(`unknown tokens command ${JSON.stringify(sub ?? '')}\nusage:\n${TOKENS_USAGE}`);
  }
}
