/**
 * The event maps are derived from the schema maps: one source of truth. These type tests prove
 * that a schema map must name exactly its direction's events, and that the derived maps reject a
 * wrong event name or payload. `vitest run` type-checks this file.
 */
import type { z } from 'zod';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClientEvent,
  type ClientRequest,
  type MasterEvent,
  WorkerEvent,
  WorkerRegisterSchema,
  WorkerToMasterSchemas,
  type AccountBrowserReport,
  type Ack,
  type ClientToMasterEvents,
  type JobView,
  type MasterEventName,
  type MasterToClientEvents,
  type MasterToWorkerEvents,
  type RegisterResult,
  type RequestName,
  type RequestPayload,
  type RequestReply,
  type ValidatedPayload,
  type WorkerEventName,
  type WorkerJobProgress,
  type WorkerRegister,
  type WorkerToMasterEvents,
} from '@fleetwright/shared';

type AckData<F> = F extends (payload: never, ack: (response: Ack<infer T>) => void) => void ? T : never;

describe('schema maps', () => {
  it('name every event of their direction and nothing else', () => {
    expectTypeOf<keyof typeof WorkerToMasterSchemas>().toEqualTypeOf<WorkerEventName>();
    expectTypeOf<keyof WorkerToMasterEvents>().toEqualTypeOf<WorkerEventName>();
    expectTypeOf<keyof MasterToWorkerEvents>().toEqualTypeOf<MasterEventName>();
    expectTypeOf<keyof ClientToMasterEvents>().toEqualTypeOf<(typeof ClientRequest)[keyof typeof ClientRequest]>();
    expectTypeOf<keyof MasterToClientEvents>().toEqualTypeOf<(typeof ClientEvent)[keyof typeof ClientEvent]>();
  });

  it('refuse a map that misses an event or names a non-event (the check the real maps use)', () => {
    const { [WorkerEvent.AccountBrowser]: _dropped, ...allButOne } = WorkerToMasterSchemas;
    // @ts-expect-error worker:account:browser has no schema
    void (allButOne satisfies Record<WorkerEventName, z.ZodType>);
    void ({
      ...WorkerToMasterSchemas,
      // @ts-expect-error not a worker event
      'worker:typo': WorkerRegisterSchema,
    } satisfies Record<WorkerEventName, z.ZodType>);
  });
});

describe('derived event maps', () => {
  it('carry the schema types as payloads and the reply types in acks', () => {
    expectTypeOf<Parameters<WorkerToMasterEvents[typeof WorkerEvent.Register]>[0]>().toEqualTypeOf<WorkerRegister>();
    expectTypeOf<Parameters<WorkerToMasterEvents[typeof WorkerEvent.JobProgress]>[0]>().toEqualTypeOf<WorkerJobProgress>();
    expectTypeOf<AckData<WorkerToMasterEvents[typeof WorkerEvent.Register]>>().toEqualTypeOf<RegisterResult>();
    expectTypeOf<AckData<WorkerToMasterEvents[typeof WorkerEvent.MessageDetected]>>().toEqualTypeOf<{ newCount: number }>();
    expectTypeOf<AckData<WorkerToMasterEvents[typeof WorkerEvent.Heartbeat]>>().toEqualTypeOf<undefined>();
    expectTypeOf<AckData<MasterToWorkerEvents[typeof MasterEvent.AccountBrowser]>>().toEqualTypeOf<AccountBrowserReport>();
    expectTypeOf<AckData<ClientToMasterEvents[typeof ClientRequest.JobCreate]>>().toEqualTypeOf<JobView>();
    expectTypeOf<Parameters<MasterToClientEvents[typeof ClientEvent.JobDone]>[0]>().toEqualTypeOf<JobView>();
  });

  it('let a sender leave out what a schema defaults, and give the receiver the defaulted value', () => {
    expectTypeOf<RequestPayload<typeof WorkerEvent.Register>['draining']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ValidatedPayload<typeof WorkerEvent.Register>['draining']>().toEqualTypeOf<boolean>();
  });

  it('look requests up by name in every direction', () => {
    expectTypeOf<RequestName>().toEqualTypeOf<WorkerEventName | MasterEventName | (typeof ClientRequest)[keyof typeof ClientRequest]>();
    expectTypeOf<RequestReply<typeof ClientRequest.LoginStart>>().toEqualTypeOf<JobView>();
    // @ts-expect-error a push event of the master, not a request
    expectTypeOf<RequestPayload<typeof ClientEvent.JobDone>>().toBeObject();
    // @ts-expect-error not an event at all
    expectTypeOf<RequestPayload<'worker:heartbeet'>>().toBeObject();
  });

  it('refuse a payload that misses a field or has a wrong one', () => {
    const heartbeat: RequestPayload<typeof WorkerEvent.Heartbeat> = {
      stats: { rssBytes: 1, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 },
    };
    void heartbeat;
    // @ts-expect-error stats is required
    const missing: RequestPayload<typeof WorkerEvent.Heartbeat> = {};
    // @ts-expect-error reason must be a string
    const wrong: RequestPayload<typeof MasterEvent.WorkerDrain> = { reason: 42 };
    void missing;
    void wrong;
  });
});
