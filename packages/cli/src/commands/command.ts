import { ApiContext } from '../api-context.js';
import type { ParsedCommand } from '../command-args.js';

/** What a command writes to: stdout for results (pipe-friendly), stderr for notes. */
export interface CommandIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

export const stdio: CommandIo = { out: process.stdout, err: process.stderr };

/** Runs `body` with an API context made from the parsed flags, and always closes its socket. */
export async function withApi<T>(parsed: ParsedCommand<unknown>, body: (api: ApiContext) => Promise<T>): Promise<T> {
  const api = await ApiContext.resolve(parsed.api);
  try {
    return await body(api);
  } finally {
    api.close();
  }
}

/** Every page of a `{ items, nextCursor }` list, up to `max` items. */
export async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>, max = 100_000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}
