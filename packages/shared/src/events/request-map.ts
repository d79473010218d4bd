import type { z } from 'zod';
import type { AssertTrue, ReplyOf } from './event-map.js';
import { ClientToMasterSchemas, type ClientToMasterReplies } from './client-events.js';
import { MasterToWorkerSchemas, WorkerToMasterSchemas, type MasterToWorkerReplies, type WorkerToMasterReplies } from './worker-events.js';

/**
 * Every acknowledged event of the fleet, in any direction, with its payload schema: the names are
 * distinct across directions, so the name alone finds the schema.
 */
export const RequestSchemas = { ...WorkerToMasterSchemas, ...MasterToWorkerSchemas, ...ClientToMasterSchemas };

type W = keyof typeof WorkerToMasterSchemas;
type M = keyof typeof MasterToWorkerSchemas;
type C = keyof typeof ClientToMasterSchemas;
// Compile-time check only: no event name is used by two directions (the spread above would hide one).
// biome-ignore lint/correctness/noUnusedVariables: compiling this alias is the check; nothing references it.
type RequestNamesAreDistinct = AssertTrue<[W & M, W & C, M & C] extends [never, never, never] ? true : false>;

export type RequestName = keyof typeof RequestSchemas;
/** What the sender passes (defaults may be left out). */
export type RequestPayload<E extends RequestName> = z.input<(typeof RequestSchemas)[E]>;
/** What the receiver's handler gets, after validation. */
export type ValidatedPayload<E extends RequestName> = z.output<(typeof RequestSchemas)[E]>;
/** The `data` of the event's ack. */
export type RequestReply<E extends RequestName> = ReplyOf<WorkerToMasterReplies & MasterToWorkerReplies & ClientToMasterReplies, E>;
