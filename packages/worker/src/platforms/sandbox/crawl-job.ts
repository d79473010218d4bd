import { z } from 'zod';
import { FleetError } from '@fleetwright/shared';
import { defineJob } from '../plugin.js';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';

export const CrawlPayloadSchema = z.strictObject({ kinds: z.array(z.enum(['comments'])).min(1).default(['comments']) });

export interface CrawledComment {
  id: string;
  postId: string;
  author: string;
  text: string;
  createdAt: string;
}

export function crawlJob(baseUrl: string) {
  return defineJob({
    schema: CrawlPayloadSchema,
    async run(ctx) {
      const page = await ctx.page();
      ctx.progress(10, 'open_comments');
      await page.goto(new URL(SandboxUrls.comments, baseUrl).href);
      if (new URL(page.url()).pathname === SandboxUrls.login) throw new FleetError('AUTH_FAILED', 'the session is gone: run login first');
      ctx.progress(50, 'read_comments');
      const comments: CrawledComment[] = await page.locator(S.comment).evaluateAll((items, sel) =>
        items.map((li) => ({
          id: li.getAttribute('data-comment-id') ?? '',
          postId: li.getAttribute('data-post-id') ?? '',
          author: (li.querySelector(sel.commentAuthor)?.textContent ?? '').trim().replace(/^@/, ''),
          text: (li.querySelector(sel.commentText)?.textContent ?? '').trim(),
          createdAt: li.querySelector(sel.commentTime)?.getAttribute('datetime') ?? '',
        })),
        { commentAuthor: S.commentAuthor, commentText: S.commentText, commentTime: S.commentTime },
      );
      ctx.log(`read ${comments.length} comments`);
      ctx.progress(100, 'done');
      return { comments };
    },
  });
}
