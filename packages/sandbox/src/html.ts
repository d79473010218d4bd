const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Tagged template that escapes every interpolated value unless it is already `SafeHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const rendered = Array.isArray(value) ? value.map(render).join('') : render(value);
    out += rendered + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function layout(title: string, body: SafeHtml, signedInAs?: string): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} · Sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem}nav a{margin-right:1rem}.error{color:#b00}li{margin:.5rem 0}</style></head>
<body>
<nav><strong>Sandbox</strong> ${signedInAs ? html`<a href="/home">Home</a><a href="/comments">Comments</a><a href="/messages">Messages</a><a href="/team">Team</a><a href="/inbox">Inbox</a><span data-testid="whoami">@${signedInAs}</span> <form method="post" action="/logout" style="display:inline"><button id="logout">Sign out</button></form>` : html`<a href="/login">Sign in</a>`}</nav>
<main>${body}</main>
</body></html>`.value;
}
