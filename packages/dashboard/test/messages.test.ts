import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.js';
import { DashboardFleet } from './support/dashboard-fleet.js';

describe('dashboard messages', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('shows comments and DMs in a live feed as a crawl finds them, and replies to a comment from the feed', async () => {
    ui = await DashboardFleet.start();
    const { fleet } = ui;
    for (const handle of ['alice', 'bob']) await fleet.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-secret-1` });
    const post = await fleet.sandboxAdmin('/posts', { author: 'alice', text: 'alice writes' });
    const comment = await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'nice post, alice' });
    await fleet.sandboxAdmin('/messages', { from: 'bob', to: 'alice', text: 'are you there?' });
    await fleet.startWorker('w1');
    const account = await fleet.api('POST', '/accounts', {
      platform: 'sandbox',
      label: 'alice',
      credentials: { username: 'alice', password: 'alice-secret-1' },
    });
    const accountId = account.body.id as string;
    await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId })).body.id);

    await ui.signIn(undefined, '#/messages');
    const { page } = ui;
    await page.locator('[data-feed="stored"] .empty').waitFor();
    await fleet.api('POST', '/jobs', { type: 'crawl', accountId });

    // Announced live: they appear at the top of the feed without a reload.
    const live = page.locator('[data-feed="live"] li.fresh');
    const fresh = live.filter({ hasText: 'nice post, alice' });
    await fresh.waitFor({ timeout: 60_000 });
    await live.filter({ hasText: 'are you there?' }).waitFor();
    expect(await fresh.getAttribute('data-kind')).toBe('comment');
    await ui.screenshot('messages');

    await fresh.getByRole('button', { name: 'Reply', exact: true }).click();
    await fresh.getByLabel('reply text').fill('thanks, bob!');
    await fresh.getByRole('button', { name: 'Send reply' }).click();
    await fresh.locator('[data-reply-status]', { hasText: 'replied' }).waitFor({ timeout: 60_000 });

    // The sandbox shows the reply under bob's comment, posted once.
    const replies = await waitFor(
      'the reply in the sandbox',
      () => {
        const found = [...fleet.sandbox.store.comments.values()].filter((c) => c.parentId === comment.id && c.text === 'thanks, bob!');
        return found.length ? found : undefined;
      },
      10_000,
    );
    expect(replies).toHaveLength(1);

    // After a reload the same messages come from the store, paged by the master.
    await page.reload();
    await page.locator('[data-feed="stored"] li[data-kind="dm"]', { hasText: 'are you there?' }).waitFor();
  });
});
