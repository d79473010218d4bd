/**
 * The worker's end of `/worker` (a socket.io-client socket, maps in reverse order), typed end to
 * end. `vitest run` type-checks this file; nothing here runs.
 */
import type { Socket } from 'socket.io-client';
import { describe, expectTypeOf, it } from 'vitest';
import {
  MasterEvent,
  WorkerEvent,
  onValidated,
  requestWithAck,
  type AccountBrowserReport,
  type Ack,
  type Logger,
  type MasterToWorkerEvents,
  type RegisterResult,
  type WorkerToMasterEvents,
} from '@fleetwright/shared';

declare const socket: Socket<MasterToWorkerEvents, WorkerToMasterEvents>;
declare const logger: Logger;
declare const report: AccountBrowserReport;

describe('onValidated on the worker', () => {
  it('hands the handler the validated payload and wants the reply of the event', () => {
    onValidated(socket, MasterEvent.JobRun, (run) => void expectTypeOf(run.timeoutMs).toBeNumber(), logger);
    onValidated(socket, MasterEvent.AccountBrowser, async () => report, logger);
    // @ts-expect-error master:account:browser is answered with the browser's report
    onValidated(socket, MasterEvent.AccountBrowser, () => 'started', logger);
    // @ts-expect-error the worker sends worker:register, it never receives it
    onValidated(socket, WorkerEvent.Register, () => undefined, logger);
  });
});

describe('requestWithAck from the worker', () => {
  it('types the ack of the event sent and refuses a wrong event or payload', () => {
    expectTypeOf(
      requestWithAck(socket, WorkerEvent.Register, { host: 'h', version: '1', capabilities: [], maxAccounts: 1, maxConcurrency: 1, maxLiveContexts: 1 }, 1000),
    ).resolves.toEqualTypeOf<Ack<RegisterResult>>();
    // @ts-expect-error the worker does not send master events
    void requestWithAck(socket, MasterEvent.JobCancel, { jobId: 'j', reason: 'r' }, 1000);
    // @ts-expect-error percent is a number
    void requestWithAck(socket, WorkerEvent.JobProgress, { jobId: 'j', accountId: 'a', epoch: 0, attempt: 1, percent: '50', step: 's' }, 1000);
  });
});
