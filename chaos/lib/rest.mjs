// The master's REST API as an upstream system calls it: with a deadline, and again after a refused
// connection or a 5xx while the master is down (jobs carry an idempotency key, so a repeat is safe).
// Given several masters' URLs, it moves to the next one when a master does not answer.

export class MasterApi {
  /** @param {string | string[]} baseUrls */
  constructor(baseUrls, token) {
    this.baseUrls = [baseUrls].flat();
    this.current = 0;
    this.token = token;
  }

  get baseUrl() {
    return this.baseUrls[this.current];
  }

  /** One call; `{ status, body }`, or throws on a network failure (and the next call goes to the next master). */
  async call(method, path, body) {
    const headers = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchOrMoveOn(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async fetchOrMoveOn(route, init) {
    const url = `${this.baseUrl}${route}`;
    try {
      return await fetch(url, init);
    } catch (error) {
      this.current = (this.current + 1) % this.baseUrls.length;
      throw error;
    }
  }

  /** Retries through outages until the master answers below 500, or `deadlineMs` passes. */
  async persist(method, path, body, deadlineMs = 120_000) {
    const until = Date.now() + deadlineMs;
    let last;
    while (Date.now() < until) {
      try {
        const res = await this.call(method, path, body);
        if (res.status < 500) return res;
        last = `HTTP ${res.status} ${JSON.stringify(res.body)}`;
      } catch (error) {
        last = String(error);
      }
      await sleep(500);
    }
    throw new Error(`${method} ${path} got no answer within ${deadlineMs} ms (last: ${last})`);
  }

  /** `GET /health` (no token), or throws while the master is down. */
  async health() {
    const res = await this.fetchOrMoveOn('/health', { signal: AbortSignal.timeout(5000) });
    return res.json();
  }

  /** Every item of a paged list. */
  async all(path) {
    const items = [];
    let cursor;
    const sep = path.includes('?') ? '&' : '?';
    do {
      const res = await this.persist('GET', `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function progress(line) {
  process.stderr.write(`chaos ${new Date().toISOString().slice(11, 19)} ${line}\n`);
}
