/** Types of db-state.mjs (plain JavaScript, so that `npm run fuzz` runs it with node). */
export interface DbSnapshot {
  version: number;
  rows: Record<string, Map<number, string>>;
}

export type RowChange =
  | { table: string; rowid: number; columns: Record<string, { before: string; after: string }> }
  | { table: string; rowid: number; before: string | undefined; after: string | undefined };

export class DbState {
  constructor(file: string);
  open(): void;
  close(): void;
  version(): number;
  snapshot(): DbSnapshot;
  static changes(before: DbSnapshot, after: DbSnapshot, limit?: number): RowChange[];
}
