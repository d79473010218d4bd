import type { SandboxStore } from './store/sandbox-store.js';

export interface DemoUser {
  handle: string;
  email: string;
  password: string;
}

/** Seeds the demo site (`npm start`): two users, a post each, and comments between them. */
export function seedDemo(store: SandboxStore, password: string): DemoUser[] {
  const users: DemoUser[] = [
    { handle: 'alice', email: 'alice@sandbox.test', password },
    { handle: 'bob', email: 'bob@sandbox.test', password },
  ];
  const created = users.map((u) => store.findUserByLogin(u.handle) ?? store.addUser(u));
  const [alice, bob] = created as [NonNullable<(typeof created)[0]>, NonNullable<(typeof created)[0]>];
  const alicePost = store.addPost(alice.id, 'Hello from Alice: our first post');
  const bobPost = store.addPost(bob.id, 'Bob here, testing the sandbox');
  store.addComment(alicePost.id, bob.id, 'Welcome, Alice!');
  store.addComment(alicePost.id, bob.id, 'Looking forward to more posts.');
  store.addComment(bobPost.id, alice.id, 'Nice one, Bob.');
  return users;
}
