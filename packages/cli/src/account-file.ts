import { CreateAccountBodySchema, FleetError, fleetErrorFromZod, type CreateAccountBody } from '@fleetwright/shared/contract';
import { parseCsv } from './io/csv.js';

/** One account to import, with where it came from (for error messages). */
export interface AccountFileEntry {
  /** `row 3` of a CSV, `item 2` of a JSON array. */
  where: string;
  body: CreateAccountBody;
}

export const CSV_COLUMNS = ['platform', 'label', 'tags', 'username', 'password', 'proxy'] as const;

/**
 * Accounts from a CSV (header row naming {@link CSV_COLUMNS}; tags separated by `;`) or a JSON
 * array of `POST /accounts` bodies. Every entry is validated with the API's own schema before
 * anything is sent, so a bad file imports nothing.
 */
export function parseAccountFile(text: string, format: 'csv' | 'json'): AccountFileEntry[] {
  const entries = format === 'csv' ? fromCsv(text) : fromJson(text);
  if (entries.length === 0) throw new FleetError('VALIDATION_FAILED', 'the file holds no accounts');
  return entries.map(({ where, raw }) => {
    const parsed = CreateAccountBodySchema.safeParse(raw);
    if (!parsed.success) {
      const error = fleetErrorFromZod(parsed.error);
      throw new FleetError('VALIDATION_FAILED', `${where}: ${error.message}`, { field: error.field });
    }
    return { where, body: parsed.data };
  });
}

function fromJson(text: string): { where: string; raw: unknown }[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FleetError('VALIDATION_FAILED', `not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(value) ? value : (value as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(list)) throw new FleetError('VALIDATION_FAILED', 'a JSON import is an array of accounts (or { "accounts": [...] })');
  return list.map((raw, i) => ({ where: `item ${i + 1}`, raw }));
}

function fromCsv(text: string): { where: string; raw: unknown }[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw new FleetError('VALIDATION_FAILED', (error as Error).message);
  }
  const [header, ...data] = rows;
  if (!header) return [];
  const columns = header.map((h) => h.trim().toLowerCase());
  const unknown = columns.find((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown !== undefined)
    throw new FleetError('VALIDATION_FAILED', `unknown CSV column ${JSON.stringify(unknown)} (columns: ${CSV_COLUMNS.join(', ')})`, { field: unknown });
  if (!columns.includes('platform')) throw new FleetError('VALIDATION_FAILED', 'the CSV needs a platform column', { field: 'platform' });
  return data.map((cells, i) => {
    const cell = (name: (typeof CSV_COLUMNS)[number]): string | undefined => {
      const index = columns.indexOf(name);
      const value = index === -1 ? undefined : cells[index]?.trim();
      return value === '' ? undefined : value;
    };
    const raw: Record<string, unknown> = { platform: cell('platform') };
    if (cell('label') !== undefined) raw.label = cell('label');
    const tags = cell('tags')
      ?.split(/[;|]/)
      .map((t) => t.trim())
      .filter(Boolean);
    if (tags && tags.length > 0) raw.tags = tags;
    if (cell('username') !== undefined || cell('password') !== undefined) raw.credentials = { username: cell('username'), password: cell('password') };
    if (cell('proxy') !== undefined) raw.proxy = cell('proxy');
    // Rows count the header as row 1, as a spreadsheet shows them.
    return { where: `row ${i + 2}`, raw };
  });
}
