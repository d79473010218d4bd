import { z } from 'zod';
import { FleetError } from '@fleetwright/shared';
import { defineJob } from '../plugin.js';
import { step } from './job-step.js';
import { commentThread, dmThread, type ReplyThread } from './reply-threads.js';

export const ReplyPayloadSchema = z.strictObject({
  /** A reply under a comment, or a message in a DM conversation. */
  kind: z.enum(['comment', 'dm']),
  /** The comment's platform id (a reply's id answers its thread), or the conversation's id. */
  targetId: z.string().min(1).max(256),
  text: z.string().trim().min(1).max(5000),
  /** The comment's post, when known; otherwise the comment is looked up among those on my posts. */
  postId: z.string().min(1).max(256).optional(),
  /**
   * Test hook of the reference plugin: on attempts up to this number, fail with a retryable
   * PLATFORM_ERROR right after posting, before reporting, as a crash at that moment would. It
   * proves that the retry finds the reply and does not post it again. @defaultValue 0
   */
  failAfterPostAttempts: z.int().min(0).max(10).default(0),
});

export interface ReplyResult {
  replyId: string;
  /** True when the thread already held this text from this account, so nothing was posted. */
  alreadyPosted: boolean;
  kind: 'comment' | 'dm';
  targetId: string;
}

/**
 * Answers a comment or a DM, at least once and in practice once: before posting it looks for the
 * same text from this account in the thread, so a retry after a crash between posting and
 * reporting finds the first reply instead of posting a second. (The price: the same account cannot
 * deliberately post the same text twice in one thread; the sandbox's oracle calls that a duplicate too.)
 */
export function replyJob(baseUrl: string) {
  return defineJob({
    schema: ReplyPayloadSchema,
    // A pace no person keeps up; operators set their platform's real one (docs/plugins.md).
    limits: { account: { max: 120, windowMs: 60_000 } },
    async run(ctx, payload): Promise<ReplyResult> {
      const page = await ctx.page();
      step(ctx, 10, 'open_thread', `opening the ${payload.kind === 'dm' ? 'conversation' : 'comment thread'} ${payload.targetId}`);
      const thread: ReplyThread =
        payload.kind === 'dm' ? await dmThread(page, baseUrl, payload.targetId) : await commentThread(page, baseUrl, payload.targetId, payload.postId);

      step(ctx, 30, 'check_thread', `looking for the same reply from @${thread.me} in the thread`);
      const existing = await thread.findMine(payload.text);
      if (existing) {
        step(ctx, 90, 'report_reply', `already answered as ${existing}; not posting again`);
        await ctx.emit('reply', { replyId: existing, alreadyPosted: true });
        ctx.progress(100, 'done');
        return { replyId: existing, alreadyPosted: true, kind: payload.kind, targetId: payload.targetId };
      }

      step(ctx, 50, 'post_reply', 'posting the reply');
      const answer = await thread.post(payload.text);
      // The site throttles this account: the job waits out its Retry-After, without using an attempt.
      if (!answer.posted) ctx.rateLimited({ retryAfterMs: answer.retryAfterMs, scope: 'account', message: answer.message });
      step(ctx, 70, 'verify_reply', 'finding the posted reply in the thread');
      const replyId = await thread.findMine(payload.text);
      if (!replyId) throw new FleetError('PLATFORM_ERROR', `the reply to ${payload.targetId} does not show in the thread after posting`);
      if (ctx.attempt <= payload.failAfterPostAttempts) {
        ctx.log(`test hook: failing attempt ${ctx.attempt} after posting ${replyId}`);
        throw new FleetError('PLATFORM_ERROR', `test hook failAfterPostAttempts: attempt ${ctx.attempt} fails after posting ${replyId}`);
      }
      step(ctx, 90, 'report_reply', `posted ${replyId}`);
      await ctx.emit('reply', { replyId, alreadyPosted: false });
      ctx.progress(100, 'done');
      return { replyId, alreadyPosted: false, kind: payload.kind, targetId: payload.targetId };
    },
  });
}
