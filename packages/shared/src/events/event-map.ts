import type { z } from 'zod';
import type { AckCallback } from '../schemas/common.js';

/** The payload schema of every event one side sends, keyed by event name. */
export type SchemaMap = Record<string, z.ZodType>;

/** The `data` of an event's ack: its entry in the reply map, or nothing. */
export type ReplyOf<Replies, E> = E extends keyof Replies ? Replies[E] : undefined;

/**
 * Socket.IO's event map of acknowledged events, derived from the payload schemas: the sender may
 * leave out what a schema defaults (`z.input`), and every event is acknowledged with an Ack.
 */
export type AckedEvents<S extends SchemaMap, Replies> = {
  [E in keyof S]: (payload: z.input<S[E]>, ack: AckCallback<ReplyOf<Replies, E>>) => void;
};

/** Socket.IO's event map of fire-and-forget events: each carries what its schema describes. */
export type PushEvents<S extends SchemaMap> = {
  [E in keyof S]: (payload: z.output<S[E]>) => void;
};

/**
 * `AssertTrue<NamesOnly<Replies, Names>>` fails to compile when a reply map names a non-event
 * (a misspelt name would leave the real event's ack without data).
 */
export type NamesOnly<Map, Names extends string> = Exclude<keyof Map, Names> extends never ? true : false;
export type AssertTrue<T extends true> = T;
