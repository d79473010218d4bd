import type { Health } from '@fleetwright/shared';

/** A plain status page until the dashboard package lands: what is up, and where the API is. */
export function homePage(health: Health): string {
  const row = (k: string, v: unknown): string => `<tr><th>${k}</th><td>${String(v)}</td></tr>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fleetwright</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:system-ui,sans-serif;max-width:720px;margin:2rem auto}th{text-align:left;padding-right:2rem}</style></head>
<body><h1>Fleetwright</h1><p>Status: <strong id="status">${health.status}</strong></p><table>
${row('Workers online', health.workers.online)}${row('Workers offline', health.workers.offline)}
${row('Accounts', health.accounts.total)}${row('Accounts live', health.accounts.live)}${row('Accounts busy', health.accounts.busy)}
${row('Jobs queued', health.jobs.queued)}${row('Jobs running', health.jobs.running)}
</table><p>API: <code>/api/v1</code> (Bearer token) · <a href="/health">/health</a></p></body></html>`;
}
