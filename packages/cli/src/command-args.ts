import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.js';
import type { ApiFlags } from './api-context.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every API command accepts. */
const GLOBAL_OPTIONS = {
  'api-url': { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Flags that would put a secret in argv (visible in `ps` and shell history): refused with the way to do it. */
const SECRET_FLAGS: Record<string, string> = {
  '--password': 'use --password-file <file> or --password-stdin',
  '--token': 'set FLEET_API_TOKEN or use --token-file <file>',
  '--api-token': 'set FLEET_API_TOKEN or use --token-file <file>',
};

export interface ParsedCommand<V> {
  values: V & { 'api-url'?: string; 'token-file'?: string; json?: boolean; help?: boolean };
  positionals: string[];
  api: ApiFlags;
}

/** `node:util` parseArgs with the global flags, strict, and a one-line error naming the usage. */
export function parseCommand<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): ParsedCommand<ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values']> {
  for (const arg of argv) {
    const flag = arg.split('=')[0]!;
    if (SECRET_FLAGS[flag]) throw new CliError(`${flag} would show the secret in the process list; ${SECRET_FLAGS[flag]}`);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} (usage: ${usage})`);
  }
  const values = parsed.values as ParsedCommand<never>['values'];
  return { values: values as never, positionals: parsed.positionals, api: { apiUrl: values['api-url'], tokenFile: values['token-file'] } };
}

/** A flag's value as an integer within `min`…`max`, or undefined when absent. */
export function intFlag(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new CliError(`--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return Number(value);
}
