import type { SandboxStore } from './store/sandbox-store.js';

/** The same author posted the same text to the same parent more than once. */
export interface DuplicateReply {
  /** A reply to a comment (`parentId` is the comment id) or a DM (`parentId` is the conversation id). */
  kind: 'reply' | 'message';
  author: string;
  parentId: string;
  text: string;
  count: number;
  /** Oldest first. */
  ids: string[];
}

interface Posted {
  id: string;
  authorId: string;
  parentId: string;
  text: string;
}

/**
 * The judge of "reply exactly once": a job retried after a crash must not answer twice. Texts are
 * compared as stored (forms trim them), so an accidental double submit is caught.
 */
export function findDuplicateReplies(store: SandboxStore): DuplicateReply[] {
  const replies: Posted[] = [];
  for (const c of store.comments.values()) if (c.parentId !== undefined) replies.push({ id: c.id, authorId: c.authorId, parentId: c.parentId, text: c.text });
  const messages: Posted[] = [...store.messages.messages.values()].map((m) => ({ id: m.id, authorId: m.authorId, parentId: m.conversationId, text: m.text }));
  return [...duplicatesAmong('reply', replies, store), ...duplicatesAmong('message', messages, store)];
}

function duplicatesAmong(kind: DuplicateReply['kind'], items: Posted[], store: SandboxStore): DuplicateReply[] {
  const groups = new Map<string, Posted[]>();
  for (const item of items) {
    const key = JSON.stringify([item.authorId, item.parentId, item.text]);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()]
    .filter((group) => group.length > 1)
    .map((group) => {
      const first = group[0] as Posted;
      return {
        kind,
        author: store.users.get(first.authorId)?.handle ?? first.authorId,
        parentId: first.parentId,
        text: first.text,
        count: group.length,
        ids: group.map((g) => g.id),
      };
    });
}
