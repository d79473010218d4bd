import { ERROR_CODES, isErrorCode, type ErrorCode, type JobErrorClass } from './error-codes.js';

/** The shape every error takes on the wire (REST bodies, socket acks, job results). */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  field?: string;
  retryable?: boolean;
}

export interface FleetErrorOptions {
  field?: string;
  /** Overrides the code's default (a selector miss on a page that will never have it, say). */
  retryable?: boolean;
  cause?: unknown;
}

/** The one error class of the fleet: a code from the table, an optional field, and whether to retry. */
export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: FleetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FleetError';
    this.code = code;
    this.field = options.field;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get errorClass(): JobErrorClass {
    return ERROR_CODES[this.code].errorClass;
  }

  toJSON(): SerializedError {
    const out: SerializedError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.field !== undefined) out.field = this.field;
    return out;
  }

  /** Rebuilds the error that crossed a socket or an HTTP body; unknown shapes become INTERNAL_ERROR. */
  static fromJSON(value: unknown): FleetError {
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      const code = isErrorCode(v.code) ? v.code : 'INTERNAL_ERROR';
      const message = typeof v.message === 'string' ? v.message : 'unknown error';
      const options: FleetErrorOptions = {};
      if (typeof v.field === 'string') options.field = v.field;
      if (typeof v.retryable === 'boolean') options.retryable = v.retryable;
      return new FleetError(code, message, options);
    }
    return new FleetError('INTERNAL_ERROR', String(value));
  }

  /** Wraps anything thrown into a FleetError, keeping FleetErrors as they are. */
  static from(error: unknown, fallback: ErrorCode = 'INTERNAL_ERROR'): FleetError {
    if (error instanceof FleetError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new FleetError(fallback, message, { cause: error });
  }
}
