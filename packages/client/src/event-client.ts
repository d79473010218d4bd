import { io, type Socket } from 'socket.io-client';
import { ClientRequest, FleetError, Namespace } from '@fleetwright/shared/constants';
import type { Ack, ClientToMasterEvents, LiveInput, LiveWatchReply, MasterToClientEvents } from '@fleetwright/shared/contract';

export type ClientSocket = Socket<MasterToClientEvents, ClientToMasterEvents>;
type RequestName = keyof ClientToMasterEvents;
type RequestPayload<E extends RequestName> = Parameters<ClientToMasterEvents[E]>[0];
type RequestData<E extends RequestName> = Parameters<Parameters<ClientToMasterEvents[E]>[1]>[0] extends Ack<infer T> ? T : never;

/** The `/client` namespace: live events, and requests with a deadline that resolve or throw a FleetError. */
export class EventClient {
  readonly socket: ClientSocket;

  /**
   * @param token An API token; leave it out (undefined) in a browser page signed in with the
   * dashboard's session cookie, which the master reads from the handshake instead.
   */
  constructor(
    baseUrl: string,
    token?: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.socket = io(`${baseUrl.replace(/\/+$/, '')}${Namespace.Client}`, {
      ...(token ? { auth: { token } } : {}),
      transports: ['websocket'],
      autoConnect: false,
      withCredentials: true,
    });
  }

  /** Resolves once connected; rejects with the master's reason (a wrong token, say). */
  connect(): Promise<this> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error & { data?: unknown }): void => {
        this.socket.off('connect', onConnect);
        reject(FleetError.fromJSON(error.data ?? { code: 'NETWORK_ERROR', message: error.message }));
      };
      const onConnect = (): void => {
        this.socket.off('connect_error', onError);
        resolve(this);
      };
      this.socket.once('connect', onConnect);
      this.socket.once('connect_error', onError);
      this.socket.connect();
    });
  }

  on<E extends keyof MasterToClientEvents>(event: E, listener: MasterToClientEvents[E]): () => void {
    this.socket.on(event, listener as never);
    return () => void this.socket.off(event, listener as never);
  }

  async request<E extends RequestName>(event: E, payload: RequestPayload<E>): Promise<RequestData<E>> {
    const timed = this.socket.timeout(this.timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<unknown>> };
    const ack = await timed.emitWithAck(event, payload);
    if (!ack.ok) throw FleetError.fromJSON(ack.error);
    return ack.data as RequestData<E>;
  }

  /** Starts receiving the account's `live:frame` events (JPEG screencast of its page). */
  watch(accountId: string): Promise<LiveWatchReply> {
    return this.request(ClientRequest.LiveWatch, { accountId });
  }

  /** Stops them; the worker stops the screencast when nobody watches any more. */
  unwatch(accountId: string): Promise<LiveWatchReply> {
    return this.request(ClientRequest.LiveUnwatch, { accountId });
  }

  /** Sends one input to the page of an account this client's token holds (claim it over REST first). */
  async input(accountId: string, input: LiveInput): Promise<void> {
    await this.request(ClientRequest.LiveInput, { accountId, input });
  }

  /** Types text key by key, as a person at the keyboard would. */
  async type(accountId: string, text: string): Promise<void> {
    for (const key of text) await this.input(accountId, { type: 'key', action: 'press', key });
  }

  close(): void {
    this.socket.disconnect();
  }
}
