import type { DetectedMessage, MessageView, Page } from '@fleetwright/shared';
import { atomically, type Db } from './database.js';
import { messageView } from '../backend/record-views.js';
import type { MessageRow } from '../backend/records.js';

/** Comments and DMs found by crawls: each kept once per account and platform id. */
export class MessageStore {
  constructor(private readonly db: Db) {}

  /** Inserts the ones not seen before and returns only those (what is new for clients). */
  addNew(accountId: string, platform: string, messages: DetectedMessage[]): MessageView[] {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO messages (account_id, platform, platform_message_id, kind, thread_id, author, text, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return atomically(this.db, () => {
      const added: MessageView[] = [];
      for (const m of messages) {
        const res = insert.run(accountId, platform, m.platformMessageId, m.kind, m.threadId ?? null, m.author, m.text, Date.now());
        if (res.changes > 0) added.push(messageView(this.db.prepare('SELECT * FROM messages WHERE seq = ?').get(res.lastInsertRowid) as MessageRow));
      }
      return added;
    });
  }

  list(filter: { accountId?: string | undefined; kind?: 'comment' | 'dm' | undefined }, limit: number, cursor?: string): Page<MessageView> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (cursor && Number.isFinite(Number(cursor))) {
      where.push('seq < @cursor');
      params.cursor = Number(cursor);
    }
    if (filter.accountId) {
      where.push('account_id = @accountId');
      params.accountId = filter.accountId;
    }
    if (filter.kind) {
      where.push('kind = @kind');
      params.kind = filter.kind;
    }
    const rows = this.db
      .prepare(`SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`)
      .all(params) as MessageRow[];
    const page = rows.slice(0, limit);
    return { items: page.map(messageView), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }
}
