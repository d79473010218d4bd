/** Where the dashboard is: the path and query of `location.hash` (`#/jobs/42?status=failed`). */
export interface Route {
  /** Path segments: `#/jobs/42` → `['jobs', '42']`. */
  segments: string[];
  query: URLSearchParams;
}

export function currentRoute(hash = location.hash): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

/** `href('jobs', id)` → `#/jobs/<id>`; `href('jobs', { status: 'failed' })` → `#/jobs?status=failed`. */
export function href(...parts: (string | Record<string, string | undefined>)[]): string {
  const path = parts
    .filter((p): p is string => typeof p === 'string')
    .map(encodeURIComponent)
    .join('/');
  const query = new URLSearchParams();
  for (const p of parts) if (typeof p === 'object') for (const [k, v] of Object.entries(p)) if (v) query.set(k, v);
  const q = query.toString();
  return `#/${path}${q ? `?${q}` : ''}`;
}

export function navigate(to: string): void {
  if (location.hash === to) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = to;
}
