import type { Page } from 'playwright-core';
import { SandboxSelectors as S } from './sandbox-site.js';

export interface CrawledComment {
  id: string;
  postId: string;
  /** Handle, without the `@`. */
  author: string;
  text: string;
  createdAt: string;
}

/**
 * The top-level comments listed on /comments (already open on `page`), oldest first. Replies hang
 * under each comment in the same list item; the site renders them after the comment's own parts,
 * and `:scope >` keeps them from being read as the comment's.
 */
export async function readCommentsOnMyPosts(page: Page): Promise<CrawledComment[]> {
  return page.locator(S.comment).evaluateAll(
    (items, sel) =>
      items.map((li) => ({
        id: li.getAttribute('data-comment-id') ?? '',
        postId: li.getAttribute('data-post-id') ?? '',
        author: (li.querySelector(`:scope > ${sel.author}`)?.textContent ?? '').trim().replace(/^@/, ''),
        text: (li.querySelector(`:scope > ${sel.text}`)?.textContent ?? '').trim(),
        createdAt: li.querySelector(`:scope > ${sel.time}`)?.getAttribute('datetime') ?? '',
      })),
    { author: S.commentAuthor, text: S.commentText, time: S.commentTime },
  );
}
