/** Rows as aligned columns under upper-case headers, as `kubectl get` and `pm2 ls` print them. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return `${[line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n')}\n`;
}

/** `2026-11-23T11:53:26.123Z` → `11:53:26` today, the date otherwise. */
export function shortTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return '-';
  const at = new Date(iso);
  return at.toDateString() === now.toDateString() ? at.toISOString().slice(11, 19) : at.toISOString().slice(0, 10);
}
