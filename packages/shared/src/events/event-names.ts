/** Every Socket.IO event name of the fleet. Spell them through these constants, never as literals. */
export const WorkerEvent = {
  Register: 'worker:register',
  Heartbeat: 'worker:heartbeat',
  JobProgress: 'worker:job:progress',
  JobResult: 'worker:job:result',
  JobLog: 'worker:job:log',
  LoginQrCode: 'worker:login:qrcode',
  LoginStatus: 'worker:login:status',
  MessageDetected: 'worker:message:detected',
  ReplyResult: 'worker:reply:result',
  StateSnapshot: 'worker:state:snapshot',
  AccountBrowser: 'worker:account:browser',
  HumanNeeded: 'worker:human:needed',
  LiveFrame: 'worker:live:frame',
  LiveState: 'worker:live:state',
} as const;

export const MasterEvent = {
  TaskAssign: 'master:task:assign',
  TaskRevoke: 'master:task:revoke',
  JobRun: 'master:job:run',
  JobCancel: 'master:job:cancel',
  WorkerDrain: 'master:worker:drain',
  AccountBrowser: 'master:account:browser',
  LiveWatch: 'master:live:watch',
  LiveInput: 'master:live:input',
  Takeover: 'master:takeover',
} as const;

/** Client → master on `/client`. */
export const ClientRequest = {
  LoginStart: 'login:start',
  ReplyExecute: 'reply:execute',
  JobCreate: 'job:create',
  JobCancel: 'job:cancel',
  LiveWatch: 'live:watch',
  LiveUnwatch: 'live:unwatch',
  LiveInput: 'live:input',
} as const;

/** Master → client on `/client`. */
export const ClientEvent = {
  LoginQrCode: 'login:qrcode',
  LoginStatus: 'login:status',
  MessageDetected: 'message:detected',
  ReplyResult: 'reply:result',
  JobProgress: 'job:progress',
  JobDone: 'job:done',
  JobLog: 'job:log',
  WorkerStatus: 'worker:status',
  AccountBrowser: 'account:browser',
  HumanNeeded: 'human:needed',
  LiveFrame: 'live:frame',
  Takeover: 'takeover',
} as const;

export const Namespace = { Worker: '/worker', Client: '/client' } as const;

export type WorkerEventName = (typeof WorkerEvent)[keyof typeof WorkerEvent];
export type MasterEventName = (typeof MasterEvent)[keyof typeof MasterEvent];
export type ClientRequestName = (typeof ClientRequest)[keyof typeof ClientRequest];
export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];
