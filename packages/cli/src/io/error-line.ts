import { FleetError } from '@fleetwright/shared/contract';
import { CliError, ExitCode } from '../cli-error.js';

/**
 * Any failure as one line for stderr, with the exit code it should end the process with. API
 * refusals keep the master's `{ code, message, field }`; a master that cannot be reached says
 * where it was looked for.
 */
export function describeFailure(error: unknown, apiUrl: string | undefined): { line: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof FleetError) {
    const field = error.field && !error.message.includes(`${error.field}:`) ? ` (field: ${error.field})` : '';
    const exitCode = error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN' ? ExitCode.NoPermission : ExitCode.Failed;
    return { line: `${error.code}: ${error.message}${field}`, exitCode };
  }
  const where = apiUrl ?? 'the master';
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { line: `${where} did not answer in time (is FLEET_API_URL right?)`, exitCode: ExitCode.Unavailable };
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as TypeError & { cause?: { code?: string; message?: string } }).cause;
    return {
      line: `cannot reach the master at ${where}: ${cause?.code ?? cause?.message ?? 'network error'} (set FLEET_API_URL)`,
      exitCode: ExitCode.Unavailable,
    };
  }
  return { line: error instanceof Error ? error.message : String(error), exitCode: ExitCode.Failed };
}
