/**
 * The seeded fuzz run of `npm test`: about a thousand generated inputs (REST from the OpenAPI
 * document, `/client` and `/worker` events from the zod schemas, handshakes) against a real master
 * in its own process. `npm run fuzz` runs ten times more with a fresh seed. On a failure the
 * message lists each fault with the input that caused it; FUZZ_SEED=<seed> npm run fuzz replays it.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './harness/fuzz-run.mjs';

const SEED = 20_261_205;
const RUNS = 1_000;

describe('the seeded fuzz run', () => {
  it(`answers ${RUNS} generated inputs without a crash, a 5xx or a partial write (seed ${SEED})`, async () => {
    const summary = await runFuzz({ seed: SEED, runs: RUNS });
    const faults = summary.faults
      .map((f) => `${f.kind} ×${f.count} (${f.inputs.join(', ')}): sent ${JSON.stringify(f.sent)} → ${JSON.stringify(f.answer)}`)
      .join('\n');
    expect(summary.inputs).toBe(RUNS);
    expect({ crashes: summary.crashes, serverErrors: summary.serverErrors, partialWrites: summary.partialWrites }, faults).toEqual({
      crashes: 0,
      serverErrors: 0,
      partialWrites: 0,
    });
  }, 600_000);
});
