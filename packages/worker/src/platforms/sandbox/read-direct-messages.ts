import type { Page } from 'playwright-core';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';

export interface CrawledDirectMessage {
  id: string;
  conversationId: string;
  /** Handle, without the `@`. */
  author: string;
  text: string;
  createdAt: string;
}

/**
 * The messages others sent me, conversation by conversation, starting on /messages (already open
 * on `page`). My own messages are left out: they are answers, not something to answer.
 */
export async function readDirectMessages(page: Page, baseUrl: string, me: string): Promise<CrawledDirectMessage[]> {
  const conversationIds = await page
    .locator(S.conversation)
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-conversation-id') ?? '').filter((id) => id !== ''));
  const out: CrawledDirectMessage[] = [];
  for (const conversationId of conversationIds) {
    await page.goto(new URL(SandboxUrls.conversation(conversationId), baseUrl).href);
    const messages = await readConversation(page);
    out.push(...messages.filter((m) => m.author !== me).map((m) => ({ ...m, conversationId })));
  }
  return out;
}

/** Every message of the conversation open on `page`, oldest first. */
export async function readConversation(page: Page): Promise<Omit<CrawledDirectMessage, 'conversationId'>[]> {
  return page.locator(S.message).evaluateAll(
    (items, sel) =>
      items.map((li) => ({
        id: li.getAttribute('data-message-id') ?? '',
        author: (li.querySelector(sel.author)?.textContent ?? '').trim().replace(/^@/, ''),
        text: (li.querySelector(sel.text)?.textContent ?? '').trim(),
        createdAt: li.querySelector(sel.time)?.getAttribute('datetime') ?? '',
      })),
    { author: S.messageAuthor, text: S.messageText, time: S.messageTime },
  );
}
