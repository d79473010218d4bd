import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configError, issuePath, MAX_JOB_TIMEOUT_MS, MIN_JOB_TIMEOUT_MS, PlatformSchema, PluginLimitDefaultsSchema } from '@fleetwright/shared';
import type { PlatformPlugin } from './plugin.js';
import { firstLineOf } from '../runner/classify-error.js';

/**
 * Plugins named in `FLEET_PLUGINS` (comma-separated package names or file paths). Each module's
 * default export is a plugin, or a function of the worker's env returning one. A module that does
 * not load or does not look like a plugin stops the worker with a message naming it.
 */
export async function loadPlugins(spec: string | undefined, env: Record<string, string | undefined> = process.env): Promise<PlatformPlugin[]> {
  const names = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const plugins: PlatformPlugin[] = [];
  for (const name of names) {
    const target = name.startsWith('.') || name.startsWith('/') ? pathToFileURL(path.resolve(name)).href : name;
    let mod: { default?: unknown };
    try {
      mod = (await import(target)) as { default?: unknown };
    } catch (error) {
      throw configError('FLEET_PLUGINS', `names ${name}, which does not load: ${firstLineOf(error)}`);
    }
    const exported = typeof mod.default === 'function' ? await (mod.default as (e: typeof env) => unknown)(env) : mod.default;
    plugins.push(checkPlugin(exported, name));
  }
  return plugins;
}

export function checkPlugin(value: unknown, name: string): PlatformPlugin {
  const plugin = value as Partial<PlatformPlugin> | undefined;
  if (!plugin || typeof plugin !== 'object' || !PlatformSchema.safeParse(plugin.platform).success) {
    throw configError('FLEET_PLUGINS', `names ${name}, whose default export is not a plugin (needs platform: a lowercase name, and jobs)`);
  }
  if (!plugin.jobs || typeof plugin.jobs !== 'object' || Object.keys(plugin.jobs).length === 0)
    throw configError('FLEET_PLUGINS', `names ${name}, whose plugin declares no jobs`);
  for (const [type, job] of Object.entries(plugin.jobs)) {
    if (!/^[a-z0-9_]+$/.test(type) || typeof job?.run !== 'function' || typeof (job.schema as { safeParse?: unknown } | undefined)?.safeParse !== 'function') {
      throw configError('FLEET_PLUGINS', `names ${name}, whose job ${type} needs a lowercase name, a zod schema and a run() function`);
    }
    const timeoutMs = (job as { timeoutMs?: unknown }).timeoutMs;
    if (
      timeoutMs !== undefined &&
      !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= MIN_JOB_TIMEOUT_MS && (timeoutMs as number) <= MAX_JOB_TIMEOUT_MS)
    ) {
      throw configError(
        'FLEET_PLUGINS',
        `names ${name}, whose job ${type} has timeoutMs ${String(timeoutMs)}: give whole milliseconds from ${MIN_JOB_TIMEOUT_MS} to ${MAX_JOB_TIMEOUT_MS}`,
      );
    }
    checkLimits((job as { limits?: unknown }).limits, name, type);
  }
  const fenceOrigins = (plugin as { fenceOrigins?: unknown }).fenceOrigins;
  if (fenceOrigins !== undefined && !(Array.isArray(fenceOrigins) && fenceOrigins.every(isOrigin))) {
    throw configError('FLEET_PLUGINS', `names ${name}, whose fenceOrigins must be a list of origins such as https://example.test (scheme, host and port only)`);
  }
  return plugin as PlatformPlugin;
}

/** A job's declared default limits (`limits`), refused naming the plugin, the job type and the bad field. */
function checkLimits(limits: unknown, name: string, type: string): void {
  if (limits === undefined) return;
  const parsed = PluginLimitDefaultsSchema.safeParse(limits);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const field = ['limits', issuePath(parsed.error)].filter(Boolean).join('.');
  const problem = issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid value');
  throw configError(
    'FLEET_PLUGINS',
    `names ${name}, whose job ${type} has a bad ${field}: ${problem} (limits are { account?, platform? }, each { max, windowMs } and/or { concurrency })`,
  );
}

/** `http(s)://host[:port]` and nothing more: the header goes to exactly these. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
