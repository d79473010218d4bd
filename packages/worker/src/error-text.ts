/** The first line of a message, bounded (Playwright's errors go on with call logs). */
export function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 500);
}

/** The first line of an error's message. */
export function firstLineOf(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error));
}
