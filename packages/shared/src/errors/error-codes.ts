/**
 * Every error code the fleet speaks, with its HTTP status, whether a caller should retry, and the
 * job-failure class it belongs to. `docs/errors.md` documents each one (a test checks it).
 */
export const JOB_ERROR_CLASSES = ['network', 'timeout', 'selector', 'auth', 'platform', 'internal'] as const;
export type JobErrorClass = (typeof JOB_ERROR_CLASSES)[number];

export interface ErrorCodeInfo {
  status: number;
  retryable: boolean;
  errorClass: JobErrorClass;
  summary: string;
}

export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    retryable: false,
    errorClass: 'internal',
    summary: 'A field of the request is missing or has a wrong value; `field` names it.',
  },
  UNAUTHORIZED: { status: 401, retryable: false, errorClass: 'auth', summary: 'No token, or a token the master does not know.' },
  FORBIDDEN: { status: 403, retryable: false, errorClass: 'auth', summary: 'The token is known but its role may not do this.' },
  NOT_FOUND: { status: 404, retryable: false, errorClass: 'internal', summary: 'No such route or resource.' },
  ACCOUNT_NOT_FOUND: { status: 404, retryable: false, errorClass: 'internal', summary: 'No account has this id.' },
  JOB_NOT_FOUND: { status: 404, retryable: false, errorClass: 'internal', summary: 'No job has this id.' },
  WORKER_NOT_FOUND: { status: 404, retryable: false, errorClass: 'internal', summary: 'No worker has this id.' },
  UNKNOWN_PLATFORM: { status: 400, retryable: false, errorClass: 'internal', summary: 'No plugin on any worker handles this platform.' },
  UNKNOWN_JOB_TYPE: { status: 400, retryable: false, errorClass: 'internal', summary: "The account's platform has no job of this type." },
  PAYLOAD_INVALID: {
    status: 400,
    retryable: false,
    errorClass: 'internal',
    summary: "The job payload fails the plugin's schema; `field` names the first bad field.",
  },
  CONFLICT: { status: 409, retryable: false, errorClass: 'internal', summary: 'The request conflicts with the current state.' },
  ILLEGAL_TRANSITION: { status: 409, retryable: false, errorClass: 'internal', summary: 'The job cannot move from its current status to the one asked for.' },
  STALE_EPOCH: {
    status: 409,
    retryable: false,
    errorClass: 'internal',
    summary: "A worker reported with an account epoch older than the account's current one; the report was refused.",
  },
  NOT_LEADER: {
    status: 503,
    retryable: true,
    errorClass: 'internal',
    summary: 'This master does not lead the fleet now: another master holds the leader lease, so the decision was not taken here.',
  },
  NOT_OWNER: { status: 409, retryable: false, errorClass: 'internal', summary: 'A worker reported on a job or account it does not own.' },
  ACCOUNT_UNREADABLE: {
    status: 500,
    retryable: false,
    errorClass: 'internal',
    summary: "The account's stored secrets do not open with the master's FLEET_SECRET_KEY.",
  },
  ACCOUNT_UNASSIGNED: {
    status: 409,
    retryable: true,
    errorClass: 'internal',
    summary: 'No worker owns the account yet, so its browser cannot start; it gets an owner when a worker of its platform has room.',
  },
  ACCOUNT_BUSY: {
    status: 409,
    retryable: true,
    errorClass: 'internal',
    summary: 'A job is running on the account, so its browser cannot stop now; stop it after the job ends (or cancel the job).',
  },
  NO_CAPACITY: { status: 503, retryable: true, errorClass: 'internal', summary: 'No worker can take this account now.' },
  CONFIG_INVALID: { status: 500, retryable: false, errorClass: 'internal', summary: 'An environment variable has a bad value; the message names it.' },
  CHROMIUM_NOT_FOUND: {
    status: 500,
    retryable: false,
    errorClass: 'internal',
    summary: 'No Chromium executable was found (FLEET_CHROMIUM_PATH, Playwright cache, PATH).',
  },
  NETWORK_ERROR: { status: 502, retryable: true, errorClass: 'network', summary: 'The page or the platform could not be reached.' },
  TIMEOUT: { status: 504, retryable: true, errorClass: 'timeout', summary: 'A step or the whole job ran past its deadline.' },
  SELECTOR_NOT_FOUND: { status: 500, retryable: true, errorClass: 'selector', summary: 'An element the plugin expected is not on the page.' },
  AUTH_FAILED: { status: 401, retryable: false, errorClass: 'auth', summary: 'The platform refused the account credentials or session.' },
  PLATFORM_ERROR: { status: 502, retryable: true, errorClass: 'platform', summary: 'The platform answered with an error of its own.' },
  RATE_LIMITED: {
    status: 429,
    retryable: true,
    errorClass: 'platform',
    summary: 'The platform throttled the account or the fleet (`ctx.rateLimited`); the job waits for the pause to end, without using an attempt.',
  },
  BROWSER_CRASHED: { status: 500, retryable: true, errorClass: 'internal', summary: "The account's browser closed or crashed during the job." },
  BROWSER_START_FAILED: {
    status: 502,
    retryable: true,
    errorClass: 'internal',
    summary: "The worker could not open the account's browser (launch, profile lock or state restore failed); the account's browser `error` says why.",
  },
  LOCK_BUSY: { status: 409, retryable: true, errorClass: 'internal', summary: "Another holder has the account's profile lock; the job waits and retries." },
  LOCK_LOST: { status: 409, retryable: true, errorClass: 'internal', summary: "The worker lost the account's profile lock; the job was aborted." },
  LOCK_UNAVAILABLE: {
    status: 503,
    retryable: true,
    errorClass: 'internal',
    summary: "The lock service (Redis) could not be reached in time, so the account's profile lock could not be taken or kept.",
  },
  BROWSER_RESET: {
    status: 409,
    retryable: true,
    errorClass: 'internal',
    summary: "An operator reset the account's browser while the job ran; the job runs again under a new fence.",
  },
  TOO_LARGE: {
    status: 413,
    retryable: false,
    errorClass: 'internal',
    summary: 'The request body or a field of it is bigger or deeper than the master accepts; `field` names it.',
  },
  HUMAN_TIMEOUT: {
    status: 504,
    retryable: false,
    errorClass: 'timeout',
    summary: 'The job asked for a person (`ctx.askHuman`) and nobody finished the step within its `timeoutMs`; the message holds the reason it asked.',
  },
  JOB_CANCELLED: { status: 409, retryable: false, errorClass: 'internal', summary: 'The job was cancelled.' },
  WORKER_LOST: { status: 503, retryable: true, errorClass: 'internal', summary: 'The worker running the job disconnected or stopped heartbeating.' },
  INTERNAL_ERROR: { status: 500, retryable: false, errorClass: 'internal', summary: 'An unexpected error; see the logs.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The failure class of a code; a code this table does not know (a plugin's own) is `internal`. */
export function errorClassOf(code: string): JobErrorClass {
  return isErrorCode(code) ? ERROR_CODES[code].errorClass : 'internal';
}
