export interface SandboxServerOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** When set, `/admin/*` requires header `x-admin-token`. */
  adminToken?: string;
  /**
   * How long a QR sign-in code can be approved and used, in milliseconds.
   * @defaultValue 120000
   */
  qrTtlMs?: number;
}

export const DEFAULT_QR_TTL_MS = 120_000;
