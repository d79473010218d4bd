import { z } from 'zod';
import type { DetectedMessage } from '@fleetwright/shared';
import { defineJob } from '../plugin.js';
import { step } from './job-step.js';
import { readCommentsOnMyPosts, type CrawledComment } from './read-comments.js';
import { readDirectMessages, type CrawledDirectMessage } from './read-direct-messages.js';
import { SandboxUrls } from './sandbox-site.js';
import { openSignedIn } from './signed-in-page.js';

export type { CrawledComment } from './read-comments.js';
export type { CrawledDirectMessage } from './read-direct-messages.js';

export const CrawlPayloadSchema = z.strictObject({
  /** What to read: top-level comments on the account's posts, and DMs others sent it. @defaultValue both */
  kinds: z
    .array(z.enum(['comments', 'dms']))
    .min(1)
    .default(['comments', 'dms']),
});

export interface CrawlResult {
  comments: CrawledComment[];
  dms: CrawledDirectMessage[];
}

/** The master takes at most 1000 messages per report. */
const REPORT_CHUNK = 500;

/**
 * Reads comments and DMs and reports every one it sees (not only new ones): the master keeps each
 * once per account and platform id and announces only the new, so a crawl can stay stateless.
 */
export function crawlJob(baseUrl: string) {
  return defineJob({
    schema: CrawlPayloadSchema,
    async run(ctx, payload): Promise<CrawlResult> {
      const kinds = new Set(payload.kinds);
      const page = await ctx.page();
      const result: CrawlResult = { comments: [], dms: [] };
      if (kinds.has('comments')) {
        step(ctx, 10, 'open_comments', 'opening the comments on my posts');
        await openSignedIn(page, baseUrl, SandboxUrls.comments);
        step(ctx, 30, 'read_comments', 'reading the comments');
        result.comments = await readCommentsOnMyPosts(page);
        ctx.log(`read ${result.comments.length} comments`);
      }
      if (kinds.has('dms')) {
        step(ctx, 50, 'open_messages', 'opening my conversations');
        const me = await openSignedIn(page, baseUrl, SandboxUrls.messages);
        step(ctx, 60, 'read_messages', 'reading the messages of each conversation');
        result.dms = await readDirectMessages(page, baseUrl, me);
        ctx.log(`read ${result.dms.length} direct messages`);
      }
      const detected = toDetected(result);
      step(ctx, 90, 'report_messages', `reporting ${detected.length} messages`);
      for (let i = 0; i < detected.length; i += REPORT_CHUNK) await ctx.emit('messages', { messages: detected.slice(i, i + REPORT_CHUNK) });
      ctx.progress(100, 'done');
      return result;
    },
  });
}

function toDetected(result: CrawlResult): DetectedMessage[] {
  return [
    ...result.comments.map((c) => ({
      kind: 'comment' as const,
      platformMessageId: c.id,
      threadId: c.postId,
      author: c.author,
      text: c.text,
      ...(c.createdAt ? { createdAt: c.createdAt } : {}),
    })),
    ...result.dms.map((m) => ({
      kind: 'dm' as const,
      platformMessageId: m.id,
      threadId: m.conversationId,
      author: m.author,
      text: m.text,
      ...(m.createdAt ? { createdAt: m.createdAt } : {}),
    })),
  ];
}
