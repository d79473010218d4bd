import type {
  AccountView,
  CreateAccountBody,
  CreateBatchBody,
  CreateInviteFlowBody,
  CreateJobBody,
  CreateMonitorBody,
  Health,
  JobStatus,
  JobView,
  JobEventView,
  JobLogView,
  JobsPerMinuteBucket,
  JobsPerMinuteView,
  LimitListView,
  LimitView,
  MessageView,
  MonitorView,
  TokenView,
  Page,
  PutLimitBody,
  TakeoverView,
  UpdateAccountBody,
  WorkerView,
} from '@fleetwright/shared/contract';
import { FleetApiError } from './fleet-api-error.js';

export interface FleetClientOptions {
  /** The master's base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /**
   * An API token (admin, operator or viewer), sent as `Authorization: Bearer`. Leave it out to rely
   * on the dashboard's session cookie instead (see {@link FleetClientOptions.credentials}).
   */
  token?: string;
  /** Per request. @defaultValue 15000 */
  timeoutMs?: number;
  /**
   * `fetch`'s credentials mode. A browser page signed in with the session cookie keeps the default;
   * `include` sends it cross-origin. @defaultValue `same-origin`
   */
  credentials?: RequestCredentials;
  /**
   * Extra headers on every request. The dashboard sends `x-fleet-dashboard: 1`, which the master
   * requires on cookie-authenticated changes (a cross-site form cannot set it).
   */
  headers?: Record<string, string>;
}

export interface PageParams {
  limit?: number;
  cursor?: string | null;
}

/** Moved to the shared contract; re-exported so client users keep their imports. */
export type { JobEventView, JobsPerMinuteBucket, JobsPerMinuteView, MessageView, TokenView };

type Query = Record<string, string | number | null | undefined>;

/** The REST API, typed from the shared schemas: nobody hand-writes a URL. */
export class RestClient {
  private readonly baseUrl: string;

  constructor(private readonly options: FleetClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const text = await this.send(method, path, body, query);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Like {@link request}, for a plain-text answer (an artifact such as run.log). */
  requestText(method: string, path: string, query?: Query): Promise<string> {
    return this.send(method, path, undefined, query);
  }

  private async send(method: string, path: string, body?: unknown, query?: Query): Promise<string> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const res = await fetch(url, {
      method,
      headers: {
        ...this.options.headers,
        ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      credentials: this.options.credentials ?? 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new FleetApiError(res.status, parseOrUndefined(text) ?? { code: 'INTERNAL_ERROR', message: `HTTP ${res.status}` });
    return text;
  }

  health(): Promise<Health> {
    return this.request('GET', '/health');
  }

  readonly accounts = {
    list: (page: PageParams = {}) => this.request<Page<AccountView>>('GET', '/api/v1/accounts', undefined, { ...page }),
    get: (id: string) => this.request<AccountView>('GET', `/api/v1/accounts/${encodeURIComponent(id)}`),
    create: (body: CreateAccountBody) => this.request<AccountView>('POST', '/api/v1/accounts', body),
    update: (id: string, body: UpdateAccountBody) => this.request<AccountView>('PATCH', `/api/v1/accounts/${encodeURIComponent(id)}`, body),
    delete: (id: string) => this.request<void>('DELETE', `/api/v1/accounts/${encodeURIComponent(id)}`),
    /** Warms the account's browser on its owner worker; resolves with the account once it runs. */
    startBrowser: (id: string) => this.request<AccountView>('POST', `/api/v1/accounts/${encodeURIComponent(id)}/browser/start`),
    /** Hibernates the account's browser (snapshot, close, keep the profile). */
    stopBrowser: (id: string) => this.request<AccountView>('POST', `/api/v1/accounts/${encodeURIComponent(id)}/browser/stop`),
    /** Force-closes a stuck browser: its running job fails retryable (BROWSER_RESET) and the context reopens under a new fence. */
    resetBrowser: (id: string) => this.request<AccountView>('POST', `/api/v1/accounts/${encodeURIComponent(id)}/browser/reset`),
    /** Who holds the account's session now (`heldBy` null: nobody). */
    takeover: (id: string) => this.request<TakeoverView>('GET', `/api/v1/accounts/${encodeURIComponent(id)}/takeover`),
    /** Takes over the account's page (operators and admins): its job pauses at its next ctx call; send input with `EventClient.input`. */
    claim: (id: string) => this.request<TakeoverView>('POST', `/api/v1/accounts/${encodeURIComponent(id)}/takeover`),
    /** "Done": hands the page back; a job waiting in `askHuman` goes on. */
    release: (id: string) => this.request<TakeoverView>('DELETE', `/api/v1/accounts/${encodeURIComponent(id)}/takeover`),
  };

  readonly jobs = {
    create: (body: CreateJobBody) => this.request<JobView>('POST', '/api/v1/jobs', body),
    get: (id: string) => this.request<JobView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`),
    list: (filter: { status?: JobStatus; type?: string; accountId?: string } & PageParams = {}) =>
      this.request<Page<JobView>>('GET', '/api/v1/jobs', undefined, { ...filter }),
    cancel: (id: string) => this.request<JobView>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`),
    /** A running job's run.log lines so far (the live tail; `job:log` events bring the next ones). */
    log: (id: string) => this.request<JobLogView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/log`),
    /** A job's timeline, oldest first, a page at a time (`nextCursor` continues it). */
    events: (id: string, page: PageParams = {}) =>
      this.request<Page<JobEventView>>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/events`, undefined, { ...page }),
    qrCode: (id: string) => this.request<{ jobId: string; dataUrl: string }>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/qrcode`),
    /** Absolute URL of an artifact (send the token as a Bearer header when fetching it). */
    artifactUrl: (id: string, name: string) => `${this.baseUrl}/api/v1/jobs/${encodeURIComponent(id)}/artifacts/${encodeURIComponent(name)}`,
    /** A text artifact's content (run.log, say). */
    artifactText: (id: string, name: string) => this.requestText('GET', `/api/v1/jobs/${encodeURIComponent(id)}/artifacts/${encodeURIComponent(name)}`),
  };

  readonly batches = {
    create: (body: CreateBatchBody) => this.request<JobView>('POST', '/api/v1/batches', body),
  };

  readonly flows = {
    invite: (body: CreateInviteFlowBody) => this.request<JobView>('POST', '/api/v1/flows/invite', body),
  };

  readonly monitors = {
    create: (body: CreateMonitorBody) => this.request<MonitorView>('POST', '/api/v1/monitors', body),
    list: (filter: { accountId?: string } & PageParams = {}) => this.request<Page<MonitorView>>('GET', '/api/v1/monitors', undefined, { ...filter }),
    pause: (id: string) => this.request<MonitorView>('POST', `/api/v1/monitors/${encodeURIComponent(id)}/pause`),
    resume: (id: string) => this.request<MonitorView>('POST', `/api/v1/monitors/${encodeURIComponent(id)}/resume`),
    delete: (id: string) => this.request<void>('DELETE', `/api/v1/monitors/${encodeURIComponent(id)}`),
  };

  /** Rate limits and concurrency caps (operators and admins set them; viewers read). */
  readonly limits = {
    /** The operators' limits, the plugins' defaults and the pauses in force. */
    list: () => this.request<LimitListView>('GET', '/api/v1/limits'),
    /** Sets the limit of its scope, target and job type (a new one, or a new rule). */
    put: (body: PutLimitBody) => this.request<LimitView>('PUT', '/api/v1/limits', body),
    delete: (id: string) => this.request<void>('DELETE', `/api/v1/limits/${encodeURIComponent(id)}`),
  };

  readonly workers = {
    list: () => this.request<Page<WorkerView>>('GET', '/api/v1/workers'),
    drain: (id: string, reason?: string) => this.request<WorkerView>('POST', `/api/v1/workers/${encodeURIComponent(id)}/drain`, reason ? { reason } : {}),
    /** Revokes the worker's own credential (admins): it is disconnected, and may enroll again with the fleet token. */
    revokeCredential: (id: string) => this.request<void>('DELETE', `/api/v1/workers/${encodeURIComponent(id)}/credential`),
  };

  readonly messages = {
    list: (filter: { accountId?: string; kind?: 'comment' | 'dm' } & PageParams = {}) =>
      this.request<Page<MessageView>>('GET', '/api/v1/messages', undefined, { ...filter }),
  };

  /** Dashboard sign-in: the master answers with an httpOnly cookie, so page scripts never hold the token. */
  readonly session = {
    signIn: (token: string) => this.request<{ role: TokenView['role'] }>('POST', '/api/v1/session', { token }),
    get: () => this.request<{ role: TokenView['role'] }>('GET', '/api/v1/session'),
    signOut: () => this.request<void>('DELETE', '/api/v1/session'),
  };

  readonly stats = {
    /** Jobs finished per minute (by outcome) over the last `minutes` (default 60), and totals by status. */
    jobsPerMinute: (minutes?: number) => this.request<JobsPerMinuteView>('GET', '/api/v1/stats/jobs-per-minute', undefined, { minutes }),
  };

  readonly tokens = {
    create: (name: string, role: TokenView['role']) => this.request<TokenView & { token: string }>('POST', '/api/v1/tokens', { name, role }),
    list: () => this.request<Page<TokenView>>('GET', '/api/v1/tokens'),
    revoke: (id: string) => this.request<void>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
