import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { REDACTED } from '@fleetwright/shared';
import { firstLineOf } from './classify-error.js';
import type { SecretScrubber } from './secret-scrubber.js';

/** Headers that carry a session or a credential whatever their value looks like. */
const SESSION_HEADER = /^(cookie|set-cookie|authorization|proxy-authorization)$/i;
/** Only lines that mention one of those are parsed (a DOM snapshot line can be megabytes). */
const MENTIONS_SESSION_HEADER = /cookie|authorization/i;
/** Playwright's event logs, one JSON object a line: `trace.trace`, `trace.network` (and a chunk's `N-trace.*`). */
const EVENT_LOG = /\.(trace|network)$/;

/**
 * Blanks, in place, what carries a session in a trace event: the values of session headers
 * (`{ name, value }` pairs as HAR and Playwright write them, or `{ [name]: value }` records) and
 * of HAR cookie lists.
 */
function blankSessionHeaders(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) blankSessionHeaders(item);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record.name === 'string' && typeof record.value === 'string' && SESSION_HEADER.test(record.name)) record.value = REDACTED;
  for (const [key, item] of Object.entries(record)) {
    if (key === 'cookies' && Array.isArray(item)) {
      for (const cookie of item)
        if (cookie && typeof cookie === 'object' && typeof (cookie as { value?: unknown }).value === 'string') (cookie as { value: string }).value = REDACTED;
    } else if (typeof item === 'string' && SESSION_HEADER.test(key)) {
      record[key] = REDACTED;
    } else {
      blankSessionHeaders(item);
    }
  }
}

function scrubEventLog(data: Buffer): Buffer {
  const lines = data.toString('utf8').split('\n');
  return Buffer.from(
    lines
      .map((line) => {
        if (!MENTIONS_SESSION_HEADER.test(line)) return line;
        const event = JSON.parse(line) as unknown; // a line that is not JSON fails the scrub: the trace is dropped
        blankSessionHeaders(event);
        return JSON.stringify(event);
      })
      .join('\n'),
    'utf8',
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes `target`, a copy of the Playwright trace.zip `source` that holds none of the account's
 * secrets: every entry has each secret replaced (in each written form), and the event logs have
 * their session headers and cookies blanked. Entries keep their names and order (resources stay
 * findable by their recorded sha1), so the trace still opens in the viewer. Throws when the zip
 * cannot be read or written, and then writes nothing at `target`.
 */
export async function scrubTrace(source: string, target: string, scrubber: SecretScrubber): Promise<void> {
  const temp = `${source}.scrubbing`;
  const input = await yauzl.openPromise(source, { lazyEntries: true, autoClose: false, strictFileNames: true });
  try {
    const output = new yazl.ZipFile();
    const written = pipeline(output.outputStream, createWriteStream(temp));
    written.catch(() => undefined); // awaited below; a write error must not go unhandled meanwhile
    try {
      for await (const entry of input.eachEntry()) {
        if (entry.fileName.endsWith('/')) {
          output.addEmptyDirectory(entry.fileName);
          continue;
        }
        let data = scrubber.bytes(await readAll(await input.openReadStreamPromise(entry)));
        if (EVENT_LOG.test(entry.fileName)) data = scrubEventLog(data);
        output.addBuffer(data, entry.fileName, { mtime: entry.getLastModDate(), compress: entry.compressionMethod !== 0 });
      }
    } finally {
      output.end();
      await written;
    }
    await rename(temp, target);
  } finally {
    input.close();
    await rm(temp, { force: true });
  }
}

/**
 * Makes `target` the scrubbed copy of the raw trace `source`, then deletes the raw trace's
 * directory either way. Returns why there is no trace when the scrub failed: an unscrubbed trace
 * is never kept.
 */
export async function keepScrubbedTrace(source: string, target: string, scrubber: SecretScrubber): Promise<string | undefined> {
  try {
    await scrubTrace(source, target, scrubber);
    return undefined;
  } catch (error) {
    return firstLineOf(error);
  } finally {
    await rm(path.dirname(source), { recursive: true, force: true }).catch(() => undefined);
  }
}
