import { WorkerEvent, type WorkerEventName } from './event-names.js';
import type { RequestPayload } from './request-map.js';

/**
 * What a platform plugin may emit with `ctx.emit(name, data)`, and the worker event that reports
 * it to the master. The payload of each follows from that event's schema.
 */
export const PluginEventReports = {
  /** A QR code to scan, as a PNG data URL (`data:image/png;base64,...`). */
  qrcode: WorkerEvent.LoginQrCode,
  login_status: WorkerEvent.LoginStatus,
  /** Comments and DMs found; the master keeps each once and announces only new ones. */
  messages: WorkerEvent.MessageDetected,
  reply: WorkerEvent.ReplyResult,
} as const satisfies Record<string, WorkerEventName>;

export type PluginEventName = keyof typeof PluginEventReports;

/** A plugin event as it goes to the master: the worker adds the job's ids, epoch and attempt. */
export type PluginEventReport<K extends PluginEventName = PluginEventName> = RequestPayload<(typeof PluginEventReports)[K]>;

/** What the worker fills in from the job it runs; a plugin gives the rest. */
type JobReportFields = 'jobId' | 'accountId' | 'epoch' | 'attempt';

/** What a plugin may emit, and the payload of each. */
export type PluginEvents = { [K in PluginEventName]: Omit<PluginEventReport<K>, JobReportFields> };
