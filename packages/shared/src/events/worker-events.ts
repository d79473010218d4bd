import type { Ack, AckCallback } from '../schemas/common.js';
import type { MasterEvent, WorkerEvent } from './event-names.js';
import type { AccountBrowserReport } from '../schemas/browser.js';
import type {
  AccountBrowserCommand,
  JobCancel,
  JobRun,
  RegisterResult,
  TaskAssign,
  TaskRevoke,
  WorkerDrain,
  WorkerHeartbeat,
  WorkerJobProgress,
  WorkerJobLog,
  WorkerJobResult,
  WorkerLoginQrCode,
  WorkerLoginStatus,
  WorkerMessageDetected,
  WorkerRegister,
  WorkerReplyResult,
  WorkerStateSnapshot,
  WorkerAccountBrowser,
} from './worker-payloads.js';

/** Worker → master on `/worker`. Every event is acknowledged; payloads are validated on receipt. */
export interface WorkerToMasterEvents {
  [WorkerEvent.Register]: (payload: WorkerRegister, ack: AckCallback<RegisterResult>) => void;
  [WorkerEvent.Heartbeat]: (payload: WorkerHeartbeat, ack: AckCallback) => void;
  [WorkerEvent.JobProgress]: (payload: WorkerJobProgress, ack: AckCallback) => void;
  [WorkerEvent.JobResult]: (payload: WorkerJobResult, ack: AckCallback) => void;
  [WorkerEvent.JobLog]: (payload: WorkerJobLog, ack: AckCallback) => void;
  [WorkerEvent.LoginQrCode]: (payload: WorkerLoginQrCode, ack: AckCallback) => void;
  [WorkerEvent.LoginStatus]: (payload: WorkerLoginStatus, ack: AckCallback) => void;
  [WorkerEvent.MessageDetected]: (payload: WorkerMessageDetected, ack: AckCallback<{ newCount: number }>) => void;
  [WorkerEvent.ReplyResult]: (payload: WorkerReplyResult, ack: AckCallback) => void;
  [WorkerEvent.StateSnapshot]: (payload: WorkerStateSnapshot, ack: AckCallback) => void;
  [WorkerEvent.AccountBrowser]: (payload: WorkerAccountBrowser, ack: AckCallback) => void;
}

/** Master → worker on `/worker`. */
export interface MasterToWorkerEvents {
  [MasterEvent.TaskAssign]: (payload: TaskAssign, ack: AckCallback) => void;
  [MasterEvent.TaskRevoke]: (payload: TaskRevoke, ack: AckCallback) => void;
  [MasterEvent.JobRun]: (payload: JobRun, ack: AckCallback) => void;
  [MasterEvent.JobCancel]: (payload: JobCancel, ack: AckCallback) => void;
  [MasterEvent.WorkerDrain]: (payload: WorkerDrain, ack: AckCallback) => void;
  [MasterEvent.AccountBrowser]: (payload: AccountBrowserCommand, ack: AckCallback<AccountBrowserReport>) => void;
}

/** Per-socket data the master keeps on a worker connection. */
export interface WorkerSocketData {
  workerId: string;
}

export type { Ack };
