/**
 * The one way the dashboard writes HTML: a tagged template that escapes every interpolated value
 * unless it is already {@link SafeHtml} (a nested `html` template). Server data is text, never markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeText(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function toHtml(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeText(value);
}

/** `html\`<td>${name}</td>\`` escapes `name`; arrays of templates are joined; null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += toHtml(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Replaces `el`'s content. */
export function mount(el: Element, content: SafeHtml): void {
  el.innerHTML = content.value;
}

/** The element `selector` finds under `root`; throws when the view's own markup lacks it. */
export function $<E extends Element = HTMLElement>(root: ParentNode, selector: string): E {
  const el = root.querySelector<E>(selector);
  if (!el) throw new Error(`dashboard: no ${selector} in the view`);
  return el;
}

/** Calls `handler` for `type` events on elements under `root` matching `selector` (event delegation). */
export function delegate<E extends Event = Event>(root: Element, type: string, selector: string, handler: (target: HTMLElement, event: E) => void): void {
  root.addEventListener(type, (event) => {
    const target = (event.target as Element | null)?.closest<HTMLElement>(selector);
    if (target && root.contains(target)) handler(target, event as E);
  });
}
