// npm run fuzz: generated inputs against a real master in its own process. Progress on stderr,
// one JSON line on stdout: {"inputs","crashes","serverErrors","partialWrites","stallsOver100ms",…}.
// FUZZ_SEED and FUZZ_RUNS choose the run; the same seed sends the same inputs.
import { runFuzz } from './harness/fuzz-run.mjs';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) {
  process.stderr.write('fuzz: FUZZ_SEED and FUZZ_RUNS must be integers (FUZZ_RUNS at least 1)\n');
  process.exit(2);
}
process.stderr.write(`fuzz: seed ${seed}, ${runs} inputs (reproduce with FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npm run fuzz)\n`);
const traceFrom = process.env.FUZZ_TRACE_FROM ? Number(process.env.FUZZ_TRACE_FROM) : undefined;
const summary = await runFuzz({ seed, runs, ...(traceFrom === undefined ? {} : { traceFrom }), log: (line) => process.stderr.write(`${line}\n`) });
for (const f of summary.faults)
  process.stderr.write(
    `fuzz: ${f.kind} ×${f.count}, first at input ${f.atInput}: ${f.inputs.join(', ')}\n  sent: ${JSON.stringify(f.sent)}\n  answer: ${JSON.stringify(f.answer)}\n`,
  );
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = summary.crashes + summary.serverErrors + summary.partialWrites > 0 ? 1 : 0;
