import { io, type Socket } from 'socket.io-client';
import { ClientEvent, Namespace, type ClientToMasterEvents, type MasterToClientEvents } from '@fleetwright/shared';
import { waitFor } from './wait-for.js';

type ClientSocket = Socket<MasterToClientEvents, ClientToMasterEvents>;
type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];
type PayloadOf<E extends ClientEventName> = Parameters<MasterToClientEvents[E]>[0];

/**
 * A `/client` socket, as a dashboard or an upstream system holds one, that records every event the
 * master sends, in order. `close()` disconnects it.
 */
export class ClientEventRecorder {
  private readonly received: { event: ClientEventName; payload: unknown }[] = [];

  private constructor(readonly socket: ClientSocket) {
    for (const event of Object.values(ClientEvent)) {
      socket.on(event, ((payload: unknown) => this.received.push({ event, payload })) as never);
    }
  }

  /** Connects with the API token; fails after `timeoutMs` if the master does not let it in. */
  static async connect(masterUrl: string, token: string, timeoutMs = 10_000): Promise<ClientEventRecorder> {
    const socket: ClientSocket = io(`${masterUrl}${Namespace.Client}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const recorder = new ClientEventRecorder(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no /client connection within ${timeoutMs} ms`)), timeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('connect_error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      socket.disconnect();
      throw error;
    }
    return recorder;
  }

  /** Every payload of `event` received so far, optionally filtered. */
  all<E extends ClientEventName>(event: E, where: (payload: PayloadOf<E>) => boolean = () => true): PayloadOf<E>[] {
    return this.received
      .filter((r) => r.event === event)
      .map((r) => r.payload as PayloadOf<E>)
      .filter(where);
  }

  /** The first payload of `event` that matches, waiting up to `timeoutMs` for it. */
  next<E extends ClientEventName>(event: E, where: (payload: PayloadOf<E>) => boolean = () => true, timeoutMs = 30_000): Promise<PayloadOf<E>> {
    return waitFor(`client event ${event}`, () => this.all(event, where)[0], timeoutMs);
  }

  close(): void {
    this.socket.disconnect();
  }
}
