import { isIP } from 'node:net';
import { configError, readVar, type Env } from './env-reader.js';

/** Express's named ranges, accepted in `FLEET_TRUST_PROXY` beside addresses and CIDR ranges. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * What the master trusts as a reverse proxy (Express's `trust proxy`): only then do
 * `X-Forwarded-Proto` and `X-Forwarded-For` count, so the session cookie gets `Secure` when the
 * browser came over TLS to the proxy. `false` (the default) trusts none; `true` trusts every hop
 * (only when nothing but the proxy can reach the master); a number trusts that many hops; otherwise
 * a comma-separated list of addresses, CIDR ranges and `loopback`, `linklocal`, `uniquelocal`.
 */
export type TrustProxy = boolean | number | string[];

export function readTrustProxy(env: Env): TrustProxy {
  const found = readVar(env, 'FLEET_TRUST_PROXY');
  if (!found) return false;
  const v = found.value.trim().toLowerCase();
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const entries = v.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (NAMED_RANGES.includes(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw configError(
        'FLEET_TRUST_PROXY',
        `must be false, true, a hop count, or a comma-separated list of addresses, CIDR ranges and ${NAMED_RANGES.join(', ')}`,
        found.value,
      );
    }
  }
  return entries;
}

/** `FLEET_BIND`: the address the master listens on; undefined: every interface. */
export function readBindAddress(env: Env): string | undefined {
  const found = readVar(env, 'FLEET_BIND');
  if (!found) return undefined;
  const v = found.value.trim();
  if (v === 'localhost' || isIP(v) !== 0) return v;
  throw configError(
    'FLEET_BIND',
    'must be an IP address to listen on (127.0.0.1 for this host only, 0.0.0.0 or :: for every interface) or localhost',
    found.value,
  );
}

/** The master's network edge, read from the environment beside `FleetConfig` (README's table). */
export interface MasterEdgeConfig {
  /** `FLEET_BIND`: the listen address. @defaultValue every interface (remote workers must reach it) */
  bind: string | undefined;
  /** `FLEET_TRUST_PROXY` (see {@link TrustProxy}). @defaultValue false */
  trustProxy: TrustProxy;
  /** `FLEET_METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <it>`. @defaultValue none: public */
  metricsToken: string | undefined;
}

export function loadMasterEdgeConfig(env: Env = process.env): MasterEdgeConfig {
  return { bind: readBindAddress(env), trustProxy: readTrustProxy(env), metricsToken: readVar(env, 'FLEET_METRICS_TOKEN')?.value };
}
