import { FleetError } from '@fleetwright/shared';
import { firstLine } from '../error-text.js';

export { firstLineOf } from '../error-text.js';

/**
 * Turns whatever a handler threw into a classified FleetError, so the master knows whether to
 * retry: network, timeout, selector, auth, platform or internal.
 */
export function classifyError(error: unknown, signal: AbortSignal): FleetError {
  if (signal.aborted) {
    const reason = signal.reason as unknown;
    if (reason instanceof FleetError) return reason;
  }
  if (error instanceof FleetError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (
    /Target page, context or browser has been closed|Browser has been closed|browser has disconnected|Target closed|Target crashed|Page crashed/i.test(message)
  ) {
    return new FleetError('BROWSER_CRASHED', firstLine(message), { cause: error });
  }
  if (/net::ERR_|ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH/.test(message)) return new FleetError('NETWORK_ERROR', firstLine(message), { cause: error });
  if (name === 'TimeoutError') {
    // A locator that timed out waiting for an element means the page lacks it.
    if (
      /waiting for (locator|selector|getBy\w+|frameLocator)|^locator\.\w+: Timeout .*exceeded/im.test(message) &&
      !/page\.goto|waiting for navigation|waitForLoadState|waitForURL/i.test(message)
    )
      return new FleetError('SELECTOR_NOT_FOUND', firstLine(message), { cause: error });
    return new FleetError('TIMEOUT', firstLine(message), { cause: error });
  }
  return new FleetError('INTERNAL_ERROR', firstLine(message), { cause: error });
}
