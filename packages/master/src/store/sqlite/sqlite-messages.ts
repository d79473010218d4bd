import type { DetectedMessage, MessageView, Page } from '@fleetwright/shared';
import type { MessagesBackend } from '../backend/messages-backend.js';
import type { MessageStore } from './message-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** MessagesBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteMessages implements MessagesBackend {
  constructor(
    private readonly store: MessageStore,
    private readonly gate: ConnectionGate,
  ) {}

  addNew(accountId: string, platform: string, messages: DetectedMessage[]): Promise<MessageView[]> {
    return this.gate.run(() => this.store.addNew(accountId, platform, messages));
  }

  list(filter: { accountId?: string | undefined; kind?: 'comment' | 'dm' | undefined }, limit: number, cursor?: string): Promise<Page<MessageView>> {
    return this.gate.run(() => this.store.list(filter, limit, cursor));
  }
}
