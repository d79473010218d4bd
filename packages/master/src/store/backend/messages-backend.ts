import type { DetectedMessage, MessageView, Page } from '@fleetwright/shared';

/** Messages the crawls detected, each kept once per account. */
export interface MessagesBackend {
  /** Stores the messages not seen before for the account; returns those (the new ones). */
  addNew(accountId: string, platform: string, messages: DetectedMessage[]): Promise<MessageView[]>;
  list(filter: { accountId?: string | undefined; kind?: 'comment' | 'dm' | undefined }, limit: number, cursor?: string): Promise<Page<MessageView>>;
}
