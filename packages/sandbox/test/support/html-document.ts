/**
 * Just enough of a DOM to assert on the sandbox's own server-rendered pages without a browser or
 * a parser dependency: elements, attributes, text, and `querySelectorAll` with tag, `#id`,
 * `.class`, `[attr]`, `[attr="value"]` and the descendant combinator. It trusts that the markup
 * is well formed, which the sandbox's templates make it.
 */
const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT_TAGS = new Set(['script', 'style', 'textarea', 'title']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_m, name: string) => ENTITIES[name] ?? _m);
}

export class HtmlElement {
  readonly children: (HtmlElement | string)[] = [];

  constructor(
    readonly tag: string,
    readonly attributes: Record<string, string>,
    readonly parent: HtmlElement | undefined,
  ) {}

  getAttribute(name: string): string | null {
    return this.attributes[name] ?? null;
  }

  get textContent(): string {
    return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }

  /** Text with runs of white space collapsed, as a reader sees it. */
  get text(): string {
    return this.textContent.replace(/\s+/g, ' ').trim();
  }

  querySelectorAll(selector: string): HtmlElement[] {
    const steps = selector
      .trim()
      .split(/\s+(?=(?:[^"]*"[^"]*")*[^"]*$)/)
      .map(parseCompound);
    return this.descendants().filter((el) => matchesChain(el, steps, steps.length - 1, this));
  }

  /** Unlike the DOM, undefined (not null) when nothing matches, so `toBeDefined()` means "found". */
  querySelector(selector: string): HtmlElement | undefined {
    return this.querySelectorAll(selector)[0];
  }

  private descendants(): HtmlElement[] {
    const out: HtmlElement[] = [];
    for (const child of this.children) if (typeof child !== 'string') out.push(child, ...child.descendants());
    return out;
  }
}

interface Compound {
  tag?: string;
  ids: string[];
  classes: string[];
  attributes: { name: string; value?: string }[];
}

function parseCompound(text: string): Compound {
  const compound: Compound = { ids: [], classes: [], attributes: [] };
  const token = /([a-z][a-z0-9-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:=(?:"([^"]*)"|([^\]]*)))?\]/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(text)) !== null) {
    consumed = token.lastIndex;
    if (match[1]) compound.tag = match[1];
    else if (match[2]) compound.ids.push(match[2]);
    else if (match[3]) compound.classes.push(match[3]);
    else if (match[4]) compound.attributes.push({ name: match[4], value: match[5] ?? match[6] });
  }
  if (consumed !== text.length) throw new Error(`unsupported selector: ${text}`);
  return compound;
}

function matches(el: HtmlElement, c: Compound): boolean {
  const classes = (el.getAttribute('class') ?? '').split(/\s+/);
  return (
    (c.tag === undefined || el.tag === c.tag) &&
    c.ids.every((id) => el.getAttribute('id') === id) &&
    c.classes.every((cls) => classes.includes(cls)) &&
    c.attributes.every((a) => (a.value === undefined ? el.getAttribute(a.name) !== null : el.getAttribute(a.name) === a.value))
  );
}

/** Right to left, as browsers do: the last step matches the element, earlier ones some ancestor below `scope`. */
function matchesChain(el: HtmlElement, steps: Compound[], index: number, scope: HtmlElement): boolean {
  const step = steps[index];
  if (!step || !matches(el, step)) return false;
  if (index === 0) return true;
  for (let up = el.parent; up && up !== scope; up = up.parent) if (matchesChain(up, steps, index - 1, scope)) return true;
  return false;
}

export function parseHtml(source: string): HtmlElement {
  const root = new HtmlElement('#document', {}, undefined);
  let current = root;
  const token =
    /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([a-zA-Z][\w-]*)\s*>|<([a-zA-Z][\w-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>|([^<]+|<)/giy;
  let match: RegExpExecArray | null;
  while ((match = token.exec(source)) !== null) {
    const [, closing, opening, rawAttributes, text] = match;
    if (text !== undefined) current.children.push(decodeEntities(text));
    else if (closing) {
      const tag = closing.toLowerCase();
      for (let el: HtmlElement | undefined = current; el && el !== root; el = el.parent) {
        if (el.tag === tag) {
          current = el.parent ?? root;
          break;
        }
      }
    } else if (opening) {
      const tag = opening.toLowerCase();
      const el = new HtmlElement(tag, parseAttributes(rawAttributes ?? ''), current);
      current.children.push(el);
      if (RAW_TEXT_TAGS.has(tag)) {
        const end = source.toLowerCase().indexOf(`</${tag}`, token.lastIndex);
        const stop = end === -1 ? source.length : end;
        const raw = source.slice(token.lastIndex, stop);
        el.children.push(tag === 'script' || tag === 'style' ? raw : decodeEntities(raw));
        token.lastIndex = stop;
      } else if (!VOID_TAGS.has(tag)) current = el;
    }
  }
  return root;
}

function parseAttributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[(m[1] ?? '').toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}
