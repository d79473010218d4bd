import type { SandboxStore } from './store/sandbox-store.js';

export interface DemoUser {
  handle: string;
  email: string;
  password: string;
}

/**
 * Seeds the demo site (`npm start`): two users, a post each, comments between them, two DMs from
 * bob to alice, and alice's team (3 seats) with an invite for bob waiting in his inbox.
 */
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
  // DMs and teams number their ids on their own sequences, so the ids above stay what they were.
  const conversation = store.messages.openConversation(bob.id, alice.id);
  store.messages.addMessage(conversation.id, bob.id, 'Hi Alice, do you have a minute this week?');
  store.messages.addMessage(conversation.id, bob.id, 'I left a comment on your first post.');
  const team = store.teams.teamOf(alice.id) ?? store.teams.createTeam(alice.id, 'Sandbox Crew', 3);
  store.teams.invite(team, [bob.email]);
  return users;
}
