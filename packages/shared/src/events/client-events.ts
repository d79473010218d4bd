import type { AckCallback } from '../schemas/common.js';
import type { JobView } from '../schemas/job.js';
import type { ClientEvent, ClientRequest } from './event-names.js';
import type {
  AccountBrowserEvent,
  JobCancelRequest,
  JobCreate,
  JobDoneEvent,
  JobLogEvent,
  JobProgressEvent,
  LoginQrCodeEvent,
  LoginStart,
  LoginStatusEvent,
  MessageDetectedEvent,
  ReplyExecute,
  ReplyResultEvent,
  WorkerStatusEvent,
} from './client-payloads.js';

/** Client (dashboard, upstream systems) → master on `/client`. */
export interface ClientToMasterEvents {
  [ClientRequest.LoginStart]: (payload: LoginStart, ack: AckCallback<JobView>) => void;
  [ClientRequest.ReplyExecute]: (payload: ReplyExecute, ack: AckCallback<JobView>) => void;
  [ClientRequest.JobCreate]: (payload: JobCreate, ack: AckCallback<JobView>) => void;
  [ClientRequest.JobCancel]: (payload: JobCancelRequest, ack: AckCallback<JobView>) => void;
}

/** Master → client on `/client`. */
export interface MasterToClientEvents {
  [ClientEvent.LoginQrCode]: (payload: LoginQrCodeEvent) => void;
  [ClientEvent.LoginStatus]: (payload: LoginStatusEvent) => void;
  [ClientEvent.MessageDetected]: (payload: MessageDetectedEvent) => void;
  [ClientEvent.ReplyResult]: (payload: ReplyResultEvent) => void;
  [ClientEvent.JobProgress]: (payload: JobProgressEvent) => void;
  [ClientEvent.JobDone]: (payload: JobDoneEvent) => void;
  [ClientEvent.JobLog]: (payload: JobLogEvent) => void;
  [ClientEvent.WorkerStatus]: (payload: WorkerStatusEvent) => void;
  [ClientEvent.AccountBrowser]: (payload: AccountBrowserEvent) => void;
}

export interface ClientSocketData {
  tokenId: string;
  role: 'admin' | 'operator' | 'viewer';
}
