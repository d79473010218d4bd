import type { DetectedMessage, MessageView, Page } from '@fleetwright/shared';
import type { MessagesBackend } from '../backend/messages-backend.js';
import type { ClientScope } from './client-scope.js';
import { messageView } from '../backend/record-views.js';
import type { MessageRow } from '../backend/records.js';

/** MessagesBackend on PostgreSQL: each message kept once per account and platform id. */
export class PostgresMessages implements MessagesBackend {
  constructor(private readonly scope: ClientScope) {}

  /** One statement for the batch: the rows it inserted are the new ones, in the batch's order. */
  async addNew(accountId: string, platform: string, messages: DetectedMessage[]): Promise<MessageView[]> {
    if (messages.length === 0) return [];
    const rows = await this.scope.rows<MessageRow>(
      `INSERT INTO messages (account_id, platform, platform_message_id, kind, thread_id, author, text, created_at)
       SELECT $1, $2, m.id, m.kind, m.thread_id, m.author, m.text, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS m(id, kind, thread_id, author, text, n)
        ORDER BY m.n
       ON CONFLICT (account_id, platform, platform_message_id) DO NOTHING
       RETURNING *`,
      [
        accountId,
        platform,
        Date.now(),
        messages.map((m) => m.platformMessageId),
        messages.map((m) => m.kind),
        messages.map((m) => m.threadId ?? null),
        messages.map((m) => m.author),
        messages.map((m) => m.text),
      ],
    );
    return rows.sort((a, b) => a.seq - b.seq).map(messageView);
  }

  async list(filter: { accountId?: string | undefined; kind?: 'comment' | 'dm' | undefined }, limit: number, cursor?: string): Promise<Page<MessageView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(`${clause} $${params.length}`);
    };
    if (cursor && Number.isFinite(Number(cursor))) add('seq <', Number(cursor));
    if (filter.accountId) add('account_id =', filter.accountId);
    if (filter.kind) add('kind =', filter.kind);
    params.push(limit + 1);
    const rows = await this.scope.rows<MessageRow>(
      `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: page.map(messageView), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }
}
