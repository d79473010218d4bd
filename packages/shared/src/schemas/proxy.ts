import { z } from 'zod';

const PROXY_SCHEMES = ['http', 'https', 'socks5'] as const;

export interface ParsedProxy {
  /** `scheme://host:port`, as Playwright's `proxy.server` wants it. */
  server: string;
  username?: string;
  password?: string;
}

/** Parses `scheme://user:pass@host:port`; returns an error message instead of throwing. */
export function parseProxyUrl(value: string): ParsedProxy | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL like http://user:pass@host:port';
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) return `scheme must be one of ${PROXY_SCHEMES.join(', ')}`;
  if (!url.hostname) return 'must name a host';
  // The URL parser drops a scheme's default port (http:80, https:443), so the written one is read back.
  const writtenPort = /^[^:]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/]*):(\d+)/.exec(value)?.[1];
  const port = url.port || writtenPort;
  if (!port) return 'must name a port';
  if (url.pathname !== '/' && url.pathname !== '') return 'must not have a path';
  const parsed: ParsedProxy = { server: `${scheme}://${url.hostname}:${port}` };
  if (url.username) parsed.username = decodeURIComponent(url.username);
  if (url.password) parsed.password = decodeURIComponent(url.password);
  return parsed;
}

export const ProxyUrlSchema = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const parsed = parseProxyUrl(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

/** `http://user:pass@host:1` → `http://user:****@host:1`: safe to show and to log. */
export function maskProxyUrl(value: string): string {
  const parsed = parseProxyUrl(value);
  if (typeof parsed === 'string') return '****';
  if (!parsed.username) return parsed.server;
  const [scheme, rest] = parsed.server.split('://');
  return `${scheme}://${encodeURIComponent(parsed.username)}:****@${rest}`;
}
