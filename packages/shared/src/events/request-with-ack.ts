import type { Ack } from '../schemas/common.js';
import type { RequestName, RequestPayload, RequestReply } from './request-map.js';

/** The side of a socket that sends `E` (a Socket.IO socket of either end whose emit map has it). */
export interface RequestingSocket<E extends string> {
  readonly connected: boolean;
  timeout(ms: number): unknown;
  // `any`: Socket.IO's emit types differ per end; the name is what this checks.
  emit(event: E, ...args: any[]): unknown;
}

/**
 * Sends `event` and waits for its ack, up to `timeoutMs`. Never throws: not connected, no answer
 * in time and a malformed answer come back as WORKER_LOST, TIMEOUT and INTERNAL_ERROR acks.
 * `peer` names the other end in those messages.
 */
export async function requestWithAck<E extends RequestName>(
  socket: RequestingSocket<NoInfer<E>>,
  event: E,
  payload: RequestPayload<E>,
  timeoutMs: number,
  peer = 'the peer',
): Promise<Ack<RequestReply<E>>> {
  if (!socket.connected) return { ok: false, error: { code: 'WORKER_LOST', message: `${peer} is not connected` } };
  let response: unknown;
  try {
    // Socket.IO's typed emitWithAck cannot infer through a generic event; the maps type the callers.
    const timed = socket.timeout(timeoutMs) as { emitWithAck(e: string, p: unknown): Promise<unknown> };
    response = await timed.emitWithAck(event, payload);
  } catch {
    return { ok: false, error: { code: 'TIMEOUT', message: `${peer} did not acknowledge ${event} in time` } };
  }
  if (response && typeof response === 'object' && typeof (response as { ok?: unknown }).ok === 'boolean') return response as Ack<RequestReply<E>>;
  return { ok: false, error: { code: 'INTERNAL_ERROR', message: `${peer} answered ${event} with a malformed ack` } };
}
