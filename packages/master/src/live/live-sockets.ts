import type { Namespace, Socket } from 'socket.io';
import type {
  ClientSocketData,
  ClientToMasterEvents,
  MasterToClientEvents,
  MasterToWorkerEvents,
  WorkerSocketData,
  WorkerToMasterEvents,
} from '@fleetwright/shared';

export type ClientNamespace = Namespace<ClientToMasterEvents, MasterToClientEvents, Record<string, never>, ClientSocketData>;
export type ClientSocket = Socket<ClientToMasterEvents, MasterToClientEvents, Record<string, never>, ClientSocketData>;
export type WorkerNamespace = Namespace<WorkerToMasterEvents, MasterToWorkerEvents, Record<string, never>, WorkerSocketData>;

/** The `/client` room of an account's live view: only its watchers get its frames. */
export function liveRoomOf(accountId: string): string {
  return `live:${accountId}`;
}

export function accountOfLiveRoom(room: string): string | undefined {
  return room.startsWith('live:') ? room.slice('live:'.length) : undefined;
}

/** Who asks, as the `/client` handshake or the REST token check identified them. */
export interface Requester {
  tokenId: string;
  role: ClientSocketData['role'];
}
