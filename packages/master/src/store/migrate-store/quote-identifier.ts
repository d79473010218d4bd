/** A table or column name as a quoted identifier, valid in both SQLite and PostgreSQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
