import { z } from 'zod';

/** A comment or DM found by a crawl, as the API lists it (`GET /messages`). */
export const MessageViewSchema = z.object({
  id: z.number().int(),
  accountId: z.string(),
  platform: z.string(),
  kind: z.enum(['comment', 'dm']),
  platformMessageId: z.string(),
  threadId: z.string().nullable(),
  author: z.string(),
  text: z.string(),
  detectedAt: z.string(),
});
export type MessageView = z.infer<typeof MessageViewSchema>;

export const TOKEN_ROLES = ['admin', 'operator', 'viewer'] as const;
export const TokenRoleSchema = z.enum(TOKEN_ROLES);
export type TokenRole = z.infer<typeof TokenRoleSchema>;

/** An API token as listed (`GET /tokens`): never the token itself, which is shown once at creation. */
export const TokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: TokenRoleSchema,
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenViewSchema>;
