import type { Logger } from '@fleetwright/shared';

type Middleware<S> = (socket: S, next: (error?: Error) => void) => void | Promise<void>;

/**
 * A handshake middleware (sync or async) that can never throw past Socket.IO: a throw inside one is
 * uncaught and ends the process, so any unexpected failure refuses the connection instead.
 */
export function handshakeGuard<S extends { handshake: { address: string } }>(name: string, logger: Logger, middleware: Middleware<S>): Middleware<S> {
  return (socket, next) => {
    const refuse = (cause: unknown): void => {
      logger.warn('refused a connection whose handshake failed', { namespace: name, address: socket.handshake.address, error: cause });
      const error = new Error(`${name} handshake refused`) as Error & { data: unknown };
      error.data = { code: 'UNAUTHORIZED', message: error.message };
      next(error);
    };
    try {
      const pending = middleware(socket, next);
      if (pending) pending.catch(refuse);
    } catch (cause) {
      refuse(cause);
    }
  };
}
