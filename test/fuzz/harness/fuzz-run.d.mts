/** Types of fuzz-run.mjs (plain JavaScript, so that `npm run fuzz` runs it with node). */
export interface FuzzFault {
  signature: string;
  kind: 'crash' | 'serverError' | 'partialWrite' | 'unanswered';
  /** The inputs (route or event) that met this fault, the first few. */
  inputs: string[];
  count: number;
  /** The first input as it was sent (long strings cut). */
  sent: unknown;
  answer: unknown;
  atInput: number;
}

export interface FuzzSummary {
  seed: number;
  runs: number;
  inputs: number;
  crashes: number;
  serverErrors: number;
  serverErrorsByCode: Record<string, number>;
  /** 503 answers with a documented try-again code (WORKER_LOST, NO_CAPACITY, LOCK_UNAVAILABLE): not faults. */
  unavailable: number;
  partialWrites: number;
  stallsOver100ms: number;
  unanswered: number;
  refused: number;
  accepted: number;
  byKind: Record<string, number>;
  faults: FuzzFault[];
  durationMs: number;
}

export function runFuzz(options: { seed: number; runs: number; log?: (line: string) => void }): Promise<FuzzSummary>;
