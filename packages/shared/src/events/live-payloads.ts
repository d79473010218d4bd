import { z } from 'zod';
import { IdSchema } from '../schemas/common.js';
import { TokenRoleSchema } from '../schemas/message.js';

/**
 * Bounds of the live view: a screencast frame is a JPEG of the page scaled to fit
 * `maxWidth` × `maxHeight`, sent at most `maxFramesPerSecond` times a second.
 */
export const LIVE_VIEW_BOUNDS = {
  maxFramesPerSecond: 5,
  maxWidth: 1280,
  maxHeight: 800,
  jpegQuality: 60,
  /** Base64 characters of one frame; a bigger frame is dropped by the worker. */
  maxFrameChars: 1_000_000,
} as const;

/** How long `ctx.askHuman` waits when the plugin names no timeout, and the most it may name. */
export const ASK_HUMAN_DEFAULT_TIMEOUT_MS = 5 * 60_000;
export const ASK_HUMAN_MAX_TIMEOUT_MS = 60 * 60_000;

/** The step a job shows while it waits for a person. */
export const WAITING_FOR_A_PERSON = 'waiting for a person';

export const AskHumanOptionsSchema = z.object({
  /** What the person should do, shown on the dashboard and sent upstream. */
  reason: z.string().min(1).max(512),
  timeoutMs: z.number().int().min(1).max(ASK_HUMAN_MAX_TIMEOUT_MS).default(ASK_HUMAN_DEFAULT_TIMEOUT_MS),
});
export type AskHumanOptions = z.input<typeof AskHumanOptionsSchema>;

const Fraction = z.number().min(0).max(1);
const MouseButton = z.enum(['left', 'right', 'middle']).default('left');

/**
 * One input of a person holding the session. Positions are fractions of the frame (0–1 from the
 * top left), so the client need not know the page's size.
 */
export const LiveInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mouse'), action: z.enum(['move', 'down', 'up', 'click']), x: Fraction, y: Fraction, button: MouseButton }),
  z.object({ type: z.literal('wheel'), x: Fraction, y: Fraction, deltaX: z.number().min(-10_000).max(10_000), deltaY: z.number().min(-10_000).max(10_000) }),
  /** `key` as in KeyboardEvent.key (`a`, `Enter`, `Backspace`, `ArrowLeft`). */
  z.object({ type: z.literal('key'), action: z.enum(['down', 'up', 'press']), key: z.string().min(1).max(32) }),
  /** Pasted (or typed) text, inserted as is. */
  z.object({ type: z.literal('text'), text: z.string().min(1).max(10_000) }),
]);
export type LiveInput = z.input<typeof LiveInputSchema>;

// Worker → master

export const WorkerHumanNeededSchema = z.object({
  jobId: IdSchema,
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  attempt: z.number().int().min(1),
  reason: z.string().min(1).max(512),
  timeoutMs: z.number().int().min(1).max(ASK_HUMAN_MAX_TIMEOUT_MS),
});
export type WorkerHumanNeeded = z.infer<typeof WorkerHumanNeededSchema>;

/**
 * The master's note of who holds a session, kept by the owner worker beside its gate: a restarted
 * master learns it back from the worker (`worker:live:state`), so the person keeps the session.
 */
export const TakeoverHoldSchema = z.object({
  by: z.string().min(1).max(200),
  role: TokenRoleSchema,
  claimedAt: z.iso.datetime(),
  /** The job that ran when the session was claimed, if one did. */
  jobId: IdSchema.nullable(),
});
export type TakeoverHold = z.infer<typeof TakeoverHoldSchema>;

/**
 * What a worker's live side holds, sent after each registration: the sessions a person holds and
 * the jobs that wait for one. A master that restarted rebuilds its takeovers and requests from it.
 */
export const WorkerLiveStateSchema = z.object({
  holds: z.array(z.object({ accountId: IdSchema, epoch: z.number().int().min(0), hold: TakeoverHoldSchema })).max(10_000),
  waiting: z
    .array(
      WorkerHumanNeededSchema.omit({ timeoutMs: true }).extend({
        /** When the job stops waiting and fails with HUMAN_TIMEOUT. */
        expiresAt: z.iso.datetime(),
      }),
    )
    .max(10_000),
});
export type WorkerLiveState = z.infer<typeof WorkerLiveStateSchema>;

export const WorkerLiveFrameSchema = z.object({
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  /** Counts up per screencast; a gap means frames were dropped to keep to the rate. */
  seq: z.number().int().min(0),
  /** JPEG, base64. */
  data: z.string().min(1).max(LIVE_VIEW_BOUNDS.maxFrameChars),
  /** The page's viewport in CSS pixels (the frame may be scaled down from it). */
  width: z.number().int().min(1).max(10_000),
  height: z.number().int().min(1).max(10_000),
});
export type WorkerLiveFrame = z.infer<typeof WorkerLiveFrameSchema>;

// Master → worker

export const LiveWatchCommandSchema = z.object({ accountId: IdSchema, epoch: z.number().int().min(0), watching: z.boolean() });
export type LiveWatchCommand = z.infer<typeof LiveWatchCommandSchema>;

export const LiveInputCommandSchema = z.object({ accountId: IdSchema, epoch: z.number().int().min(0), input: LiveInputSchema });
export type LiveInputCommand = z.infer<typeof LiveInputCommandSchema>;

export const TakeoverCommandSchema = z.object({
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  action: z.enum(['claim', 'release']),
  /** On a claim: who holds the session, for the worker to report back after a master restart. */
  hold: TakeoverHoldSchema.optional(),
});
export type TakeoverCommand = z.infer<typeof TakeoverCommandSchema>;

// Client → master

export const LiveWatchRequestSchema = z.object({ accountId: IdSchema });
export type LiveWatchRequest = z.infer<typeof LiveWatchRequestSchema>;
export const LiveInputRequestSchema = z.object({ accountId: IdSchema, input: LiveInputSchema });
export type LiveInputRequest = z.input<typeof LiveInputRequestSchema>;

/** What a watch or unwatch answers: how many watch the account now. */
export const LiveWatchReplySchema = z.object({ accountId: IdSchema, watchers: z.number().int().min(0) });
export type LiveWatchReply = z.infer<typeof LiveWatchReplySchema>;

// Master → client

export const LiveFrameEventSchema = WorkerLiveFrameSchema.omit({ epoch: true });
export type LiveFrameEvent = z.infer<typeof LiveFrameEventSchema>;

export const HumanNeededEventSchema = z.object({
  jobId: IdSchema,
  accountId: IdSchema,
  reason: z.string(),
  /** When the job stops waiting and fails with HUMAN_TIMEOUT. */
  expiresAt: z.string(),
});
export type HumanNeededEvent = z.infer<typeof HumanNeededEventSchema>;

/** Who holds an account's session; `heldBy` null once released. */
export const TakeoverViewSchema = z.object({
  accountId: IdSchema,
  /** The job that ran when the session was claimed, if one did. */
  jobId: IdSchema.nullable(),
  heldBy: z.string().nullable(),
  claimedAt: z.string().nullable(),
  /** On a release: how long it was held. */
  heldMs: z.number().int().min(0).optional(),
});
export type TakeoverView = z.infer<typeof TakeoverViewSchema>;
export const TakeoverEventSchema = TakeoverViewSchema;
export type TakeoverEvent = TakeoverView;
