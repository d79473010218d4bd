import { ClientHandshakeSchema, FleetError } from '@fleetwright/shared';
import type { Socket } from 'socket.io';
import { FORWARDED_BY, type WriteTarget } from '../http/forward-to-leader.js';
import { SESSION_COOKIE, readCookie } from '../http/auth.js';

/** A `/client` request's REST equivalent on the leader. */
export interface LeaderRequest {
  method: 'POST';
  /** Under `/api/v1`. */
  path: string;
  body?: unknown;
}

/**
 * With several masters, a `/client` request that changes the fleet (a job to create or cancel) is
 * the leader's decision. On another master it goes to the leader as the REST request it stands
 * for, with the socket's own credential, and the leader's answer (or refusal) is the ack. So a
 * client may connect to any master, as REST may.
 */
export class ClientRequestsToLeader {
  constructor(
    private readonly target: WriteTarget,
    private readonly selfId: string,
  ) {}

  /** Runs `here` when this master leads; otherwise sends `request` to the leader and answers as it does. */
  async decide<T>(socket: Socket, here: () => Promise<T>, request: LeaderRequest): Promise<T> {
    const to = await this.target();
    if (to === 'self') return here();
    if (!to) throw new FleetError('NOT_LEADER', 'no master leads the fleet right now (a takeover is in progress): try again in a few seconds');
    let answer: Response;
    try {
      answer = await fetch(new URL(`/api/v1${request.path}`, to), {
        method: request.method,
        headers: { ...credentialsOf(socket), 'content-type': 'application/json', [FORWARDED_BY]: this.selfId },
        body: JSON.stringify(request.body ?? {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
    } catch {
      throw new FleetError('NOT_LEADER', 'the leader did not answer a forwarded request; try again');
    }
    const body: unknown = await answer.json().catch(() => undefined);
    if (!answer.ok) throw FleetError.fromJSON(body);
    return body as T;
  }
}

/** The credential the socket connected with, as REST takes it: its token, or the dashboard's cookie. */
function credentialsOf(socket: Socket): Record<string, string> {
  const parsed = ClientHandshakeSchema.safeParse(socket.handshake.auth);
  if (parsed.success) return { authorization: `Bearer ${parsed.data.token}` };
  const session = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
  return session ? { cookie: `${SESSION_COOKIE}=${session}` } : {};
}
