import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as shared from '@fleetwright/shared';

const DOC = readFileSync('docs/protocol.md', 'utf8');

/** The top-level fields of a payload schema (every option's, for a union). */
function fieldsOf(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: { type: string; options?: z.ZodType[]; shape?: Record<string, unknown>; in?: z.ZodType } }).def;
  if (def.type === 'union') return [...new Set(def.options!.flatMap(fieldsOf))];
  if (def.type === 'pipe') return fieldsOf(def.in!);
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) throw new Error(`not an object schema (${def.type})`);
  return Object.keys(shape);
}

const PAYLOADS: Record<string, string[]> = {
  [shared.WorkerEvent.Register]: fieldsOf(shared.WorkerRegisterSchema),
  [shared.WorkerEvent.Heartbeat]: fieldsOf(shared.WorkerHeartbeatSchema),
  [shared.WorkerEvent.JobProgress]: fieldsOf(shared.WorkerJobProgressSchema),
  [shared.WorkerEvent.JobResult]: fieldsOf(shared.WorkerJobResultSchema),
  [shared.WorkerEvent.JobLog]: fieldsOf(shared.WorkerJobLogSchema),
  [shared.WorkerEvent.LoginQrCode]: fieldsOf(shared.WorkerLoginQrCodeSchema),
  [shared.WorkerEvent.LoginStatus]: fieldsOf(shared.WorkerLoginStatusSchema),
  [shared.WorkerEvent.MessageDetected]: fieldsOf(shared.WorkerMessageDetectedSchema),
  [shared.WorkerEvent.ReplyResult]: fieldsOf(shared.WorkerReplyResultSchema),
  [shared.WorkerEvent.StateSnapshot]: fieldsOf(shared.WorkerStateSnapshotSchema),
  [shared.WorkerEvent.AccountBrowser]: fieldsOf(shared.WorkerAccountBrowserSchema),
  [shared.MasterEvent.TaskAssign]: fieldsOf(shared.TaskAssignSchema),
  [shared.MasterEvent.TaskRevoke]: fieldsOf(shared.TaskRevokeSchema),
  [shared.MasterEvent.JobRun]: fieldsOf(shared.JobRunSchema),
  [shared.MasterEvent.JobCancel]: fieldsOf(shared.JobCancelSchema),
  [shared.MasterEvent.WorkerDrain]: fieldsOf(shared.WorkerDrainSchema),
  [shared.MasterEvent.AccountBrowser]: fieldsOf(shared.AccountBrowserCommandSchema),
  [shared.ClientRequest.LoginStart]: fieldsOf(shared.LoginStartSchema),
  [shared.ClientRequest.ReplyExecute]: fieldsOf(shared.ReplyExecuteSchema),
  [shared.ClientRequest.JobCreate]: fieldsOf(shared.JobCreateSchema),
  [shared.ClientRequest.JobCancel]: fieldsOf(shared.JobCancelRequestSchema),
  [shared.ClientEvent.JobProgress]: fieldsOf(shared.JobProgressEventSchema),
  [shared.ClientEvent.JobDone]: fieldsOf(shared.JobViewSchema),
  [shared.ClientEvent.JobLog]: fieldsOf(shared.JobLogEventSchema),
  [shared.ClientEvent.LoginQrCode]: fieldsOf(shared.LoginQrCodeEventSchema),
  [shared.ClientEvent.LoginStatus]: fieldsOf(shared.LoginStatusEventSchema),
  [shared.ClientEvent.MessageDetected]: fieldsOf(shared.MessageDetectedEventSchema),
  [shared.ClientEvent.ReplyResult]: fieldsOf(shared.ReplyResultEventSchema),
  [shared.ClientEvent.AccountBrowser]: fieldsOf(shared.AccountBrowserEventSchema),
  [shared.WorkerEvent.HumanNeeded]: fieldsOf(shared.WorkerHumanNeededSchema),
  [shared.WorkerEvent.LiveFrame]: fieldsOf(shared.WorkerLiveFrameSchema),
  [shared.WorkerEvent.LiveState]: fieldsOf(shared.WorkerLiveStateSchema),
  [shared.MasterEvent.LiveWatch]: fieldsOf(shared.LiveWatchCommandSchema),
  [shared.MasterEvent.LiveInput]: fieldsOf(shared.LiveInputCommandSchema),
  [shared.MasterEvent.Takeover]: fieldsOf(shared.TakeoverCommandSchema),
  [shared.ClientRequest.LiveWatch]: fieldsOf(shared.LiveWatchRequestSchema),
  [shared.ClientRequest.LiveUnwatch]: fieldsOf(shared.LiveWatchRequestSchema),
  [shared.ClientRequest.LiveInput]: fieldsOf(shared.LiveInputRequestSchema),
  [shared.ClientEvent.HumanNeeded]: fieldsOf(shared.HumanNeededEventSchema),
  [shared.ClientEvent.LiveFrame]: fieldsOf(shared.LiveFrameEventSchema),
  [shared.ClientEvent.Takeover]: fieldsOf(shared.TakeoverEventSchema),
  [shared.ClientEvent.WorkerStatus]: fieldsOf(shared.WorkerViewSchema.pick({ id: true, status: true, lastHeartbeatAt: true, stats: true })),
};

/** The text under `#### \`event\`` up to the next heading of that level or higher. */
function sectionOf(event: string): string | undefined {
  const start = DOC.indexOf(`#### \`${event}\`\n`);
  if (start === -1) return undefined;
  const rest = DOC.slice(start + 1);
  const end = rest.search(/\n#{2,4} /);
  return end === -1 ? rest : rest.slice(0, end);
}

describe('docs/protocol.md', () => {
  const events = [
    ...Object.values(shared.WorkerEvent),
    ...Object.values(shared.MasterEvent),
    ...Object.values(shared.ClientRequest),
    ...Object.values(shared.ClientEvent),
  ];

  it('has a section for every event name of the shared contract, and no section for an event that does not exist', () => {
    expect(events.filter((e) => sectionOf(e) === undefined)).toEqual([]);
    const documented = [...DOC.matchAll(/^#### `([^`]+)`$/gm)].map((m) => m[1]);
    expect(documented.filter((e) => !events.includes(e as never))).toEqual([]);
    expect(Object.keys(PAYLOADS).sort()).toEqual([...events].sort());
  });

  it('names every top-level field of every payload schema in its event section', () => {
    const missing = Object.entries(PAYLOADS).flatMap(([event, fields]) =>
      fields.filter((f) => !sectionOf(event)!.includes(`\`${f}\``)).map((f) => `${event}.${f}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents both handshakes field by field', () => {
    for (const field of [...fieldsOf(shared.WorkerHandshakeSchema), ...fieldsOf(shared.ClientHandshakeSchema)]) expect(DOC).toContain(`| \`${field}\` |`);
  });
});
