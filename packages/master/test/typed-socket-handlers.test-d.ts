/**
 * The master's ends of `/worker` and `/client`, typed end to end: `onValidated` takes only events
 * the socket listens to, hands the handler the schema's output and wants the event's reply back;
 * `requestWithAck` sends only events of the socket's emit map, with their payload.
 * `vitest run` type-checks this file; nothing here runs.
 */
import type { Socket } from 'socket.io';
import { describe, expectTypeOf, it } from 'vitest';
import {
  ClientEvent,
  ClientRequest,
  MasterEvent,
  WorkerEvent,
  onValidated,
  requestWithAck,
  type AccountBrowserReport,
  type Ack,
  type ClientToMasterEvents,
  type JobView,
  type Logger,
  type MasterToClientEvents,
  type MasterToWorkerEvents,
  type WorkerToMasterEvents,
} from '@fleetwright/shared';

declare const workerSocket: Socket<WorkerToMasterEvents, MasterToWorkerEvents>;
declare const clientSocket: Socket<ClientToMasterEvents, MasterToClientEvents>;
declare const logger: Logger;
declare const job: JobView;

describe('onValidated on the master', () => {
  it('hands the handler the validated payload of the event named', () => {
    onValidated(
      workerSocket,
      WorkerEvent.Register,
      (payload) => {
        expectTypeOf(payload.draining).toEqualTypeOf<boolean>();
        return { heartbeatIntervalMs: 1000 };
      },
      logger,
    );
    onValidated(workerSocket, WorkerEvent.JobLog, (payload) => void expectTypeOf(payload.lines).toEqualTypeOf<string[]>(), logger);
    onValidated(
      clientSocket,
      ClientRequest.JobCancel,
      (body) => {
        expectTypeOf(body.jobId).toBeString();
        return job;
      },
      logger,
    );
  });

  it('refuses an event the socket does not listen to', () => {
    // @ts-expect-error a client request on the worker socket
    onValidated(workerSocket, ClientRequest.JobCreate, () => job, logger);
    // @ts-expect-error the master sends master:job:run, it never receives it
    onValidated(workerSocket, MasterEvent.JobRun, () => undefined, logger);
    // @ts-expect-error a misspelt event
    onValidated(workerSocket, 'worker:heartbeet', () => undefined, logger);
  });

  it('refuses a handler that reads a field its event does not have, or answers the wrong reply', () => {
    // @ts-expect-error a heartbeat has no jobId
    onValidated(workerSocket, WorkerEvent.Heartbeat, (p) => void p.jobId, logger);
    // @ts-expect-error register is answered with a RegisterResult
    onValidated(workerSocket, WorkerEvent.Register, () => ({ heartbeatIntervalMs: 'soon' }), logger);
    // @ts-expect-error every client request is answered with its job
    onValidated(clientSocket, ClientRequest.JobCreate, () => ({ ok: true }), logger);
  });
});

describe('requestWithAck from the master', () => {
  it('types the ack of the event sent', () => {
    const started = requestWithAck(workerSocket, MasterEvent.AccountBrowser, { accountId: 'a', epoch: 1, action: 'start' }, 1000);
    expectTypeOf(started).resolves.toEqualTypeOf<Ack<AccountBrowserReport>>();
    expectTypeOf(requestWithAck(workerSocket, MasterEvent.WorkerDrain, { reason: 'r' }, 1000)).resolves.toEqualTypeOf<Ack<undefined>>();
  });

  it('refuses an event the socket does not send, or a wrong payload', () => {
    // @ts-expect-error the master does not send worker events
    void requestWithAck(workerSocket, WorkerEvent.Heartbeat, { stats: {} }, 1000);
    // @ts-expect-error a push event to clients, not a request
    void requestWithAck(clientSocket, ClientEvent.JobDone, job, 1000);
    // @ts-expect-error action is start, stop or reset
    void requestWithAck(workerSocket, MasterEvent.AccountBrowser, { accountId: 'a', epoch: 1, action: 'warm' }, 1000);
    // @ts-expect-error epoch is missing
    void requestWithAck(workerSocket, MasterEvent.TaskRevoke, { accountId: 'a', reason: 'r' }, 1000);
  });
});
