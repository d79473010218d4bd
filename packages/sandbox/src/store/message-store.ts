import { IdSequence } from './id-sequence.js';

/** A direct-message conversation between exactly two users. */
export interface SandboxConversation {
  id: string;
  participantIds: [string, string];
  createdAt: string;
}

export interface SandboxMessage {
  id: string;
  conversationId: string;
  authorId: string;
  text: string;
  createdAt: string;
}

/** Direct messages: at most one conversation per pair of users, messages oldest first. */
export class MessageStore {
  readonly conversations = new Map<string, SandboxConversation>();
  readonly messages = new Map<string, SandboxMessage>();
  private readonly ids = new IdSequence();

  conversationBetween(userA: string, userB: string): SandboxConversation | undefined {
    for (const conversation of this.conversations.values()) {
      const [first, second] = conversation.participantIds;
      if ((first === userA && second === userB) || (first === userB && second === userA)) return conversation;
    }
    return undefined;
  }

  /** The pair's conversation, created on first contact. */
  openConversation(userA: string, userB: string): SandboxConversation {
    if (userA === userB) throw new Error('a conversation needs two different users');
    const existing = this.conversationBetween(userA, userB);
    if (existing) return existing;
    const conversation: SandboxConversation = { id: this.ids.next('conv'), participantIds: [userA, userB], createdAt: new Date().toISOString() };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  addMessage(conversationId: string, authorId: string, text: string): SandboxMessage {
    const conversation = this.conversations.get(conversationId);
    if (!conversation || !isParticipant(conversation, authorId)) throw new Error(`user ${authorId} is not in conversation ${conversationId}`);
    const message: SandboxMessage = { id: this.ids.next('msg'), conversationId, authorId, text, createdAt: new Date().toISOString() };
    this.messages.set(message.id, message);
    return message;
  }

  messagesIn(conversationId: string): SandboxMessage[] {
    return [...this.messages.values()].filter((m) => m.conversationId === conversationId);
  }

  lastMessageIn(conversationId: string): SandboxMessage | undefined {
    return this.messagesIn(conversationId).at(-1);
  }

  /** My conversations, the one with the latest message first (like any inbox). */
  conversationsOf(userId: string): SandboxConversation[] {
    // Map keeps first-insertion order, so delete-then-set moves a conversation to the end on each message.
    const byActivity = new Map<string, true>();
    for (const message of this.messages.values()) {
      byActivity.delete(message.conversationId);
      byActivity.set(message.conversationId, true);
    }
    const mine = [...this.conversations.values()].filter((c) => isParticipant(c, userId));
    const order = [...byActivity.keys()];
    return mine.sort((a, b) => order.indexOf(b.id) - order.indexOf(a.id));
  }
}

export function isParticipant(conversation: SandboxConversation, userId: string): boolean {
  return conversation.participantIds.includes(userId);
}

export function otherParticipant(conversation: SandboxConversation, userId: string): string {
  const [first, second] = conversation.participantIds;
  return first === userId ? second : first;
}
