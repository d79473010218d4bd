import type { Locator, Page } from 'playwright-core';
import { FleetError, RATE_LIMIT_PAUSE_MAX_MS } from '@fleetwright/shared';
import { retryAfterMsOf } from '../retry-after.js';
import { readConversation } from './read-direct-messages.js';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';
import { openSignedIn, pageAlert } from './signed-in-page.js';

/** One place replies go: a comment's reply list, or a DM conversation. */
export interface ReplyThread {
  /** The handle signed in, whose replies count as "mine". */
  me: string;
  /** The id of my newest reply in the thread with exactly this text, or null. */
  findMine(text: string): Promise<string | null>;
  /**
   * Submits the reply form; the site answers with the thread page again (post/redirect/get), or
   * with 429 when the account replies faster than the site allows.
   */
  post(text: string): Promise<PostAnswer>;
}

/** Posted, or throttled: the site answered 429 and asked to wait `retryAfterMs`. */
export type PostAnswer = { posted: true } | { posted: false; retryAfterMs: number; message: string };

/** A 429 without a usable Retry-After: hold off a minute, as many platforms' windows go. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/**
 * Clicks a submit button and waits for the page it leads to. The answer is on the same URL as the
 * thread (or an error page on the form's URL), so waiting for a URL would not wait at all: wait
 * for the next document's load instead, and read the form's own answer for a throttle.
 */
async function submit(page: Page, button: Locator, what: string): Promise<PostAnswer> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  answer.catch(() => undefined); // awaited below unless the click fails first
  await Promise.all([page.waitForEvent('load'), button.click()]);
  const response = await answer;
  const alert = await pageAlert(page);
  if (response.status() === 429) {
    const retryAfterMs = retryAfterMsOf(response.headers()) ?? DEFAULT_RETRY_AFTER_MS;
    if (retryAfterMs > RATE_LIMIT_PAUSE_MAX_MS)
      throw new FleetError('PLATFORM_ERROR', `${what}: the site asks to wait ${retryAfterMs} ms, which is a ban, not a throttle`, { retryable: false });
    return { posted: false, retryAfterMs, message: `${what}: HTTP 429${alert ? `: ${alert}` : ''}` };
  }
  if (alert) throw new FleetError('PLATFORM_ERROR', `${what}: ${alert}`, { retryable: false });
  return { posted: true };
}

export async function dmThread(page: Page, baseUrl: string, conversationId: string): Promise<ReplyThread> {
  const url = SandboxUrls.conversation(conversationId);
  const me = await openSignedIn(page, baseUrl, url);
  const alert = await pageAlert(page);
  if (alert) throw new FleetError('PLATFORM_ERROR', `conversation ${conversationId}: ${alert}`, { retryable: false });
  return {
    me,
    async findMine(text) {
      const mine = (await readConversation(page)).filter((m) => m.author === me && m.text === text);
      return mine.at(-1)?.id ?? null;
    },
    async post(text) {
      await page.fill(S.dmText, text);
      return submit(page, page.locator(S.dmSubmit), `the message to ${conversationId} was not sent`);
    },
  };
}

/**
 * A comment's thread lives on its post's page. Without `postId`, the comment is found on
 * /comments (comments on my posts, with their replies). A reply's id stands for its thread: the
 * site hangs every reply under the top-level comment.
 */
export async function commentThread(page: Page, baseUrl: string, commentId: string, postId?: string): Promise<ReplyThread> {
  let located = postId ? { rootId: commentId, postId } : undefined;
  if (!located) {
    await openSignedIn(page, baseUrl, SandboxUrls.comments);
    located = await locateComment(page, commentId);
  }
  const me = await openSignedIn(page, baseUrl, SandboxUrls.post(located.postId));
  let root = page.locator(S.commentById(located.rootId));
  if ((await root.count()) === 0) {
    const reply = page.locator(S.replyById(commentId));
    const parentId = (await reply.count()) > 0 ? await reply.getAttribute('data-parent-id') : null;
    if (!parentId) throw new FleetError('PLATFORM_ERROR', `comment ${commentId} is not on post ${located.postId}`, { retryable: false });
    root = page.locator(S.commentById(parentId));
  }
  return {
    me,
    async findMine(text) {
      const replies = await root.locator(S.reply).evaluateAll(
        (items, sel) =>
          items.map((li) => ({
            id: li.getAttribute('data-comment-id') ?? '',
            author: (li.querySelector(sel.author)?.textContent ?? '').trim().replace(/^@/, ''),
            text: (li.querySelector(sel.text)?.textContent ?? '').trim(),
          })),
        { author: S.commentAuthor, text: S.commentText },
      );
      return replies.filter((r) => r.author === me && r.text === text).at(-1)?.id ?? null;
    },
    async post(text) {
      await root.locator(S.replyText).fill(text);
      return submit(page, root.locator(S.replySubmit), `the reply to ${commentId} was not posted`);
    },
  };
}

/** Where a comment on one of my posts lives (/comments open on `page`): its post, and its thread's top-level comment. */
async function locateComment(page: Page, commentId: string): Promise<{ rootId: string; postId: string }> {
  const topLevel = page.locator(S.commentById(commentId));
  if ((await topLevel.count()) > 0) return { rootId: commentId, postId: (await topLevel.getAttribute('data-post-id')) ?? '' };
  const reply = page.locator(S.replyById(commentId));
  if ((await reply.count()) > 0) {
    const rootId = (await reply.getAttribute('data-parent-id')) ?? '';
    const postId = (await page.locator(S.commentById(rootId)).getAttribute('data-post-id')) ?? '';
    return { rootId, postId };
  }
  throw new FleetError('PLATFORM_ERROR', `no comment ${commentId} on my posts; pass postId to answer a comment elsewhere`, { retryable: false });
}
