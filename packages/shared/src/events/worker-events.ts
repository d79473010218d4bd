import type { z } from 'zod';
import type { Ack } from '../schemas/common.js';
import type { AccountBrowserReport } from '../schemas/browser.js';
import { MasterEvent, WorkerEvent, type MasterEventName, type WorkerEventName } from './event-names.js';
import type { AckedEvents, AssertTrue, NamesOnly } from './event-map.js';
import {
  AccountBrowserCommandSchema,
  JobCancelSchema,
  JobRunSchema,
  TaskAssignSchema,
  TaskRevokeSchema,
  WorkerAccountBrowserSchema,
  WorkerDrainSchema,
  WorkerHeartbeatSchema,
  WorkerJobLogSchema,
  WorkerJobProgressSchema,
  WorkerJobResultSchema,
  WorkerLoginQrCodeSchema,
  WorkerLoginStatusSchema,
  WorkerMessageDetectedSchema,
  WorkerRegisterSchema,
  WorkerReplyResultSchema,
  WorkerStateSnapshotSchema,
  type RegisterResult,
} from './worker-payloads.js';
import {
  LiveInputCommandSchema,
  LiveWatchCommandSchema,
  TakeoverCommandSchema,
  WorkerHumanNeededSchema,
  WorkerLiveFrameSchema,
  WorkerLiveStateSchema,
} from './live-payloads.js';

/** Worker → master on `/worker`: the schema each payload is validated with on receipt. */
export const WorkerToMasterSchemas = {
  [WorkerEvent.Register]: WorkerRegisterSchema,
  [WorkerEvent.Heartbeat]: WorkerHeartbeatSchema,
  [WorkerEvent.JobProgress]: WorkerJobProgressSchema,
  [WorkerEvent.JobResult]: WorkerJobResultSchema,
  [WorkerEvent.JobLog]: WorkerJobLogSchema,
  [WorkerEvent.LoginQrCode]: WorkerLoginQrCodeSchema,
  [WorkerEvent.LoginStatus]: WorkerLoginStatusSchema,
  [WorkerEvent.MessageDetected]: WorkerMessageDetectedSchema,
  [WorkerEvent.ReplyResult]: WorkerReplyResultSchema,
  [WorkerEvent.StateSnapshot]: WorkerStateSnapshotSchema,
  [WorkerEvent.AccountBrowser]: WorkerAccountBrowserSchema,
  [WorkerEvent.HumanNeeded]: WorkerHumanNeededSchema,
  [WorkerEvent.LiveFrame]: WorkerLiveFrameSchema,
  [WorkerEvent.LiveState]: WorkerLiveStateSchema,
} as const satisfies Record<WorkerEventName, z.ZodType>;

/** What the master's ack carries for a worker event; an event not named here is acknowledged without data. */
export interface WorkerToMasterReplies {
  [WorkerEvent.Register]: RegisterResult;
  [WorkerEvent.MessageDetected]: { newCount: number };
}

/** Master → worker on `/worker`: the schema each payload is validated with on receipt. */
export const MasterToWorkerSchemas = {
  [MasterEvent.TaskAssign]: TaskAssignSchema,
  [MasterEvent.TaskRevoke]: TaskRevokeSchema,
  [MasterEvent.JobRun]: JobRunSchema,
  [MasterEvent.JobCancel]: JobCancelSchema,
  [MasterEvent.WorkerDrain]: WorkerDrainSchema,
  [MasterEvent.AccountBrowser]: AccountBrowserCommandSchema,
  [MasterEvent.LiveWatch]: LiveWatchCommandSchema,
  [MasterEvent.LiveInput]: LiveInputCommandSchema,
  [MasterEvent.Takeover]: TakeoverCommandSchema,
} as const satisfies Record<MasterEventName, z.ZodType>;

/** What the worker's ack carries for a master event; an event not named here is acknowledged without data. */
export interface MasterToWorkerReplies {
  [MasterEvent.AccountBrowser]: AccountBrowserReport;
}

// Compile-time checks only: each reply map names events of its own direction.
// biome-ignore lint/correctness/noUnusedVariables: compiling this alias is the check; nothing references it.
type WorkerRepliesAreEvents = AssertTrue<NamesOnly<WorkerToMasterReplies, WorkerEventName>>;
// biome-ignore lint/correctness/noUnusedVariables: compiling this alias is the check; nothing references it.
type MasterRepliesAreEvents = AssertTrue<NamesOnly<MasterToWorkerReplies, MasterEventName>>;

/** Worker → master on `/worker`. Every event is acknowledged; payloads are validated on receipt. */
export type WorkerToMasterEvents = AckedEvents<typeof WorkerToMasterSchemas, WorkerToMasterReplies>;

/** Master → worker on `/worker`. Every event is acknowledged; payloads are validated on receipt. */
export type MasterToWorkerEvents = AckedEvents<typeof MasterToWorkerSchemas, MasterToWorkerReplies>;

/** Per-socket data the master keeps on a worker connection. */
export interface WorkerSocketData {
  workerId: string;
}

export type { Ack };
