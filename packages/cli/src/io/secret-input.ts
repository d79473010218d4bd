import { readFile } from 'node:fs/promises';
import { CliError, ExitCode } from '../cli-error.js';

/**
 * A secret from a file (first line, trailing newline dropped) or from standard input, never from
 * the command line: argv shows in `ps` and in shell history.
 */
export async function readSecretFile(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the ${what} from ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.NoInput);
  }
  const value = text.split(/\r?\n/)[0] ?? '';
  if (value === '') throw new CliError(`the ${what} in ${file === '-' ? 'standard input' : file} is empty`, ExitCode.NoInput);
  return value;
}

/** All of standard input as text; refuses a terminal, so a forgotten pipe does not hang. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('standard input is a terminal: pipe the secret in (e.g. `< file`)', ExitCode.NoInput);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
