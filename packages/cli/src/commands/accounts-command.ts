import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AccountView, CreateAccountBody } from '@fleetwright/shared/contract';
import { FleetError, parseProxyUrl } from '@fleetwright/shared/contract';
import { CliError, ExitCode } from '../cli-error.js';
import { intFlag, parseCommand } from '../command-args.js';
import { parseAccountFile } from '../account-file.js';
import { readSecretFile, readStdin } from '../io/secret-input.js';
import { formatTable } from '../io/table.js';
import { allPages, stdio, withApi, type CommandIo } from './command.js';
import type { ApiContext } from '../api-context.js';

export const ACCOUNTS_USAGE = `fleet accounts list [--limit N] [--json]
fleet accounts add --platform P [--label L] [--tag T ...] [--username U (--password-file F | --password-stdin)] [--proxy-file F]
fleet accounts import FILE|- [--format csv|json] [--dry-run]
fleet accounts start ID        (open its browser on its worker: warm it)
fleet accounts stop ID         (snapshot and close its browser, keeping the profile: hibernate it)
fleet accounts reset ID        (force-close a stuck browser: its running job fails and runs again, the browser reopens)`;

export async function accountsCommand(argv: string[], io: CommandIo = stdio): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return listAccounts(rest, io);
    case 'add':
      return addAccount(rest, io);
    case 'import':
      return importAccounts(rest, io);
    case 'start':
    case 'stop':
    case 'reset':
      return controlBrowser(sub, rest, io);
    default:
      throw new CliError(`unknown accounts command ${JSON.stringify(sub ?? '')}\nusage:\n${ACCOUNTS_USAGE}`);
  }
}

async function listAccounts(argv: string[], io: CommandIo): Promise<void> {
  const parsed = parseCommand(argv, { limit: { type: 'string' } }, 'fleet accounts list [--limit N] [--json]');
  const limit = intFlag(parsed.values.limit as string | undefined, 'limit', 1, 100_000) ?? 100_000;
  const accounts = await withApi(parsed, (api) => allPages((cursor) => api.rest.accounts.list({ limit: Math.min(limit, 500), cursor }), limit));
  const shown = accounts.slice(0, limit);
  if (parsed.values.json) {
    io.out.write(`${JSON.stringify(shown, null, 2)}\n`);
    return;
  }
  const rows = shown.map((a) => [
    a.id,
    a.platform,
    a.label,
    a.tags.join(','),
    a.credentials?.username,
    a.ownerWorkerId,
    a.epoch,
    a.browser.state,
    a.steps.login?.status,
  ]);
  io.out.write(formatTable(['id', 'platform', 'label', 'tags', 'username', 'worker', 'epoch', 'browser', 'login'], rows));
}

const BROWSER_CALLS = {
  start: (api: ApiContext, id: string) => api.rest.accounts.startBrowser(id),
  stop: (api: ApiContext, id: string) => api.rest.accounts.stopBrowser(id),
  reset: (api: ApiContext, id: string) => api.rest.accounts.resetBrowser(id),
} as const;

async function controlBrowser(action: keyof typeof BROWSER_CALLS, argv: string[], io: CommandIo): Promise<void> {
  const usage = `fleet accounts ${action} ID`;
  const parsed = parseCommand(argv, {}, usage);
  const [id, extra] = parsed.positionals;
  if (!id || extra !== undefined) throw new CliError(`name one account (usage: ${usage})`);
  const account = await withApi(parsed, (api) => BROWSER_CALLS[action](api, id));
  if (parsed.values.json) io.out.write(`${JSON.stringify(account, null, 2)}\n`);
  const { state, lockHolder } = account.browser;
  io.err.write(`account ${account.id}: browser ${state}${lockHolder ? ` on ${lockHolder.workerId} (lock fence ${lockHolder.fenceToken})` : ''}\n`);
}

async function addAccount(argv: string[], io: CommandIo): Promise<void> {
  const usage = 'fleet accounts add --platform P [--label L] [--tag T ...] [--username U (--password-file F | --password-stdin)] [--proxy-file F]';
  const parsed = parseCommand(
    argv,
    {
      platform: { type: 'string' },
      label: { type: 'string' },
      tag: { type: 'string', multiple: true },
      username: { type: 'string' },
      'password-file': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      proxy: { type: 'string' },
      'proxy-file': { type: 'string' },
    },
    usage,
  );
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (!v.platform) throw new CliError(`--platform is required (usage: ${usage})`);
  if (v['password-file'] && v['password-stdin']) throw new CliError('give --password-file or --password-stdin, not both');
  if (v['password-stdin'] && parsed.api.tokenFile === '-')
    throw new CliError('standard input can carry the password or the token, not both: use --token-file FILE');
  const password = v['password-stdin']
    ? await readSecretFile('-', 'password')
    : v['password-file']
      ? await readSecretFile(v['password-file'] as string, 'password')
      : undefined;
  if (password !== undefined && !v.username) throw new CliError('--username is required with a password');
  if (v.username && password === undefined) throw new CliError('a --username needs its password: --password-file F or --password-stdin');
  if (typeof v.proxy === 'string') {
    const proxy = parseProxyUrl(v.proxy);
    if (typeof proxy !== 'string' && proxy.password) throw new CliError('--proxy with a password would show it in the process list; use --proxy-file F');
  }
  const proxy = v['proxy-file'] ? await readSecretFile(v['proxy-file'] as string, 'proxy URL') : (v.proxy as string | undefined);
  const body: CreateAccountBody = { platform: v.platform as string };
  if (v.label) body.label = v.label as string;
  if (v.tag) body.tags = v.tag as string[];
  if (v.username) body.credentials = { username: v.username as string, password: password! };
  if (proxy) body.proxy = proxy;
  const account = await withApi(parsed, (api) => api.rest.accounts.create(body));
  if (parsed.values.json) io.out.write(`${JSON.stringify(account, null, 2)}\n`);
  else io.out.write(`${account.id}\n`);
  io.err.write(`created account ${account.id} (${account.platform}${account.label ? `, ${account.label}` : ''})\n`);
}

async function importAccounts(argv: string[], io: CommandIo): Promise<void> {
  const usage = 'fleet accounts import FILE|- [--format csv|json] [--dry-run]';
  const parsed = parseCommand(argv, { format: { type: 'string' }, 'dry-run': { type: 'boolean' } }, usage);
  const [file, extra] = parsed.positionals;
  if (!file || extra !== undefined) throw new CliError(`name one file to import, or - for standard input (usage: ${usage})`);
  const format =
    (parsed.values.format as string | undefined) ??
    (path.extname(file).toLowerCase() === '.json' ? 'json' : path.extname(file).toLowerCase() === '.csv' ? 'csv' : undefined);
  if (format !== 'csv' && format !== 'json') throw new CliError('--format must be csv or json (it is guessed from a .csv or .json file name)');
  if (file === '-' && parsed.api.tokenFile === '-') throw new CliError('standard input can carry the accounts or the token, not both: use --token-file FILE');
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.NoInput);
  }
  const entries = parseAccountFile(text, format);
  if (parsed.values['dry-run']) {
    io.err.write(`${entries.length} accounts are valid; nothing was sent (--dry-run)\n`);
    return;
  }
  await withApi(parsed, async (api) => {
    // An account whose platform and label are already there is skipped, so an import can be run again.
    const existing = await allPages((cursor) => api.rest.accounts.list({ limit: 500, cursor }));
    const known = new Set(existing.filter((a) => a.label).map((a) => `${a.platform}\u0000${a.label}`));
    const created: AccountView[] = [];
    const skipped: string[] = [];
    for (const entry of entries) {
      const key = `${entry.body.platform}\u0000${entry.body.label ?? ''}`;
      if (entry.body.label && known.has(key)) {
        skipped.push(entry.body.label);
        continue;
      }
      try {
        created.push(await api.rest.accounts.create(entry.body));
      } catch (error) {
        if (!(error instanceof FleetError)) throw error;
        const refused = error;
        throw new FleetError(
          refused.code,
          `${entry.where}: ${refused.message}${created.length > 0 ? ` (the ${created.length} before it were imported)` : ''}`,
          refused.field ? { field: refused.field } : {},
        );
      }
      known.add(key);
    }
    if (parsed.values.json) io.out.write(`${JSON.stringify({ created: created.map((a) => ({ id: a.id, label: a.label })), skipped }, null, 2)}\n`);
    else for (const account of created) io.out.write(`${account.id}\t${account.label ?? ''}\n`);
    io.err.write(
      `imported ${created.length} account${created.length === 1 ? '' : 's'}${skipped.length > 0 ? `; skipped ${skipped.length} already there: ${skipped.join(', ')}` : ''}\n`,
    );
  });
}
