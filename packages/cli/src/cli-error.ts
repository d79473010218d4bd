/** Exit codes of `fleet`, from sysexits where one fits. */
export const ExitCode = {
  Ok: 0,
  /** The API refused, or a watched job did not succeed. */
  Failed: 1,
  /** A wrong command line. */
  Usage: 64,
  /** A file to read is missing or unreadable. */
  NoInput: 66,
  /** The master could not be reached. */
  Unavailable: 69,
  /** No token, or one the master does not accept. */
  NoPermission: 77,
  /** A bad environment value. */
  Config: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure of the command line itself (not of the API), printed as one line with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
