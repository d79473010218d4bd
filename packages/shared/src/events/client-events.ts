import type { z } from 'zod';
import type { JobView } from '../schemas/job.js';
import { ClientEvent, ClientRequest, type ClientEventName, type ClientRequestName } from './event-names.js';
import type { AckedEvents, AssertTrue, NamesOnly, PushEvents } from './event-map.js';
import {
  AccountBrowserEventSchema,
  JobCancelRequestSchema,
  JobCreateSchema,
  JobDoneEventSchema,
  JobLogEventSchema,
  JobProgressEventSchema,
  LoginQrCodeEventSchema,
  LoginStartSchema,
  LoginStatusEventSchema,
  MessageDetectedEventSchema,
  ReplyExecuteSchema,
  ReplyResultEventSchema,
  WorkerStatusEventSchema,
} from './client-payloads.js';
import {
  HumanNeededEventSchema,
  LiveFrameEventSchema,
  LiveInputRequestSchema,
  LiveWatchRequestSchema,
  TakeoverEventSchema,
  type LiveWatchReply,
} from './live-payloads.js';

/** Client (dashboard, upstream systems) → master on `/client`: the schema each request is validated with. */
export const ClientToMasterSchemas = {
  [ClientRequest.LoginStart]: LoginStartSchema,
  [ClientRequest.ReplyExecute]: ReplyExecuteSchema,
  [ClientRequest.JobCreate]: JobCreateSchema,
  [ClientRequest.JobCancel]: JobCancelRequestSchema,
  [ClientRequest.LiveWatch]: LiveWatchRequestSchema,
  [ClientRequest.LiveUnwatch]: LiveWatchRequestSchema,
  [ClientRequest.LiveInput]: LiveInputRequestSchema,
} as const satisfies Record<ClientRequestName, z.ZodType>;

/** A job request is answered with the job it created or changed; a watch with the account's watcher count. */
export type ClientToMasterReplies = Record<
  typeof ClientRequest.LoginStart | typeof ClientRequest.ReplyExecute | typeof ClientRequest.JobCreate | typeof ClientRequest.JobCancel,
  JobView
> & {
  [ClientRequest.LiveWatch]: LiveWatchReply;
  [ClientRequest.LiveUnwatch]: LiveWatchReply;
};

/** Master → client on `/client`: what each event carries (the master sends them; nothing validates them). */
export const MasterToClientSchemas = {
  [ClientEvent.LoginQrCode]: LoginQrCodeEventSchema,
  [ClientEvent.LoginStatus]: LoginStatusEventSchema,
  [ClientEvent.MessageDetected]: MessageDetectedEventSchema,
  [ClientEvent.ReplyResult]: ReplyResultEventSchema,
  [ClientEvent.JobProgress]: JobProgressEventSchema,
  [ClientEvent.JobDone]: JobDoneEventSchema,
  [ClientEvent.JobLog]: JobLogEventSchema,
  [ClientEvent.WorkerStatus]: WorkerStatusEventSchema,
  [ClientEvent.AccountBrowser]: AccountBrowserEventSchema,
  [ClientEvent.HumanNeeded]: HumanNeededEventSchema,
  [ClientEvent.LiveFrame]: LiveFrameEventSchema,
  [ClientEvent.Takeover]: TakeoverEventSchema,
} as const satisfies Record<ClientEventName, z.ZodType>;

// Compile-time check only: the reply map names client requests.
// biome-ignore lint/correctness/noUnusedVariables: compiling this alias is the check; nothing references it.
type ClientRepliesAreRequests = AssertTrue<NamesOnly<ClientToMasterReplies, ClientRequestName>>;

/** Client → master on `/client`. Every request is acknowledged; payloads are validated on receipt. */
export type ClientToMasterEvents = AckedEvents<typeof ClientToMasterSchemas, ClientToMasterReplies>;

/** Master → client on `/client`. */
export type MasterToClientEvents = PushEvents<typeof MasterToClientSchemas>;

export interface ClientSocketData {
  tokenId: string;
  role: 'admin' | 'operator' | 'viewer';
}
