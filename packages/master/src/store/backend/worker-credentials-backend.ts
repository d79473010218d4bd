import type { WorkerProof } from './records.js';

/** Each worker id's own credential, enrolled with the fleet token (see WorkerCredentialStore). */
export interface WorkerCredentialsBackend {
  /** Which proof `token` is for `workerId`, or undefined when it is none. */
  authenticate(workerId: string, token: string): Promise<WorkerProof | undefined>;
  /** The credential's first handshake: from now on only the credential speaks for the id. */
  confirm(workerId: string): Promise<void>;
  /** A new credential for `workerId` (returned once); refused once the id's credential is confirmed. */
  enroll(workerId: string, fleetToken: string): Promise<string>;
  /** Forgets the id's credential; returns whether there was one. */
  revoke(workerId: string): Promise<boolean>;
  isFleetToken(token: string): boolean;
}
