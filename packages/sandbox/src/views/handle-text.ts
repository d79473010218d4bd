import type { SandboxStore } from '../store/sandbox-store.js';

/** `@handle` of a user id, as every page shows people. */
export function handleText(store: SandboxStore, userId: string): string {
  return `@${store.users.get(userId)?.handle ?? 'unknown'}`;
}
