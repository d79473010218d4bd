import { FleetError } from '../errors/fleet-error.js';

export type Env = Record<string, string | undefined>;

/** Thrown for a bad environment value; its message is one line that names the variable. */
export function configError(variable: string, problem: string, raw?: string): FleetError {
  const got = raw === undefined ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)})`;
  return new FleetError('CONFIG_INVALID', `${variable} ${problem}${got}`, { field: variable });
}

/**
 * Reads a variable by its `FLEET_*` name, falling back to its seed-era alias; the `FLEET_*` name
 * wins when both are set. Returns the name actually read, so errors name what the operator wrote.
 */
export function readVar(env: Env, name: string, alias?: string): { name: string; value: string } | undefined {
  const primary = env[name];
  if (primary !== undefined && primary !== '') return { name, value: primary };
  if (alias) {
    const aliased = env[alias];
    if (aliased !== undefined && aliased !== '') return { name: alias, value: aliased };
  }
  return undefined;
}

export function readInt(env: Env, name: string, fallback: number, range: { min: number; max: number }, alias?: string): number {
  const found = readVar(env, name, alias);
  if (!found) return fallback;
  if (!/^\d+$/.test(found.value.trim())) return fail(found, `must be an integer from ${range.min} to ${range.max}`);
  const value = Number(found.value.trim());
  if (value < range.min || value > range.max) return fail(found, `must be an integer from ${range.min} to ${range.max}`);
  return value;
}

export function readBool(env: Env, name: string, fallback: boolean, alias?: string): boolean {
  const found = readVar(env, name, alias);
  if (!found) return fallback;
  const v = found.value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return fail(found, 'must be true or false');
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, alias?: string): T {
  const found = readVar(env, name, alias);
  if (!found) return fallback;
  const v = found.value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) return fail(found, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const found = readVar(env, name);
  if (!found) return undefined;
  let url: URL;
  try {
    url = new URL(found.value.trim());
  } catch {
    return fail(found, `must be a URL (${protocols.map((p) => `${p}//`).join(' or ')}...)`, false);
  }
  if (!protocols.includes(url.protocol)) return fail(found, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`, false);
  return found.value.trim();
}

function fail(found: { name: string; value: string }, problem: string, showValue = true): never {
  // URLs may carry passwords, so they are not echoed back.
  throw configError(found.name, problem, showValue ? found.value : undefined);
}
