import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { FleetHarness } from '../support/fleet-harness.js';
import { waitFor } from '../support/wait-for.js';

describe('a crawl monitor end to end', () => {
  let fleet: FleetHarness | undefined;
  let client: ClientEventRecorder | undefined;
  afterEach(async () => {
    client?.close();
    await fleet?.close();
  });

  it('announces 3 seeded comments and 2 DMs once, then exactly the 1 comment added later, across repeated crawls', async () => {
    fleet = await new FleetHarness().start();
    const f = fleet;
    for (const handle of ['alice', 'bob', 'carol']) await f.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-secret-1` });
    const post = await f.sandboxAdmin('/posts', { author: 'alice', text: 'alice writes' });
    const comments = [
      await f.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'first' }),
      await f.sandboxAdmin('/comments', { postId: post.id, author: 'carol', text: 'second' }),
      await f.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'third' }),
    ];
    const dms = [
      await f.sandboxAdmin('/messages', { from: 'bob', to: 'alice', text: 'hi alice' }),
      await f.sandboxAdmin('/messages', { from: 'carol', to: 'alice', text: 'hello' }),
    ];
    await f.startWorker('w1');
    client = await ClientEventRecorder.connect(f.master.url, f.apiToken);
    const account = await f.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'alice', password: 'alice-secret-1' } });
    const accountId = account.body.id as string;
    const login = await f.api('POST', '/jobs', { type: 'login', accountId });
    expect(await f.waitForJob(login.body.id)).toMatchObject({ status: 'succeeded' });

    const detectedIds = () => client!.all(ClientEvent.MessageDetected, (e) => e.accountId === accountId).map((e) => e.message.platformMessageId);
    const finishedCrawls = async () => (await f.api('GET', `/jobs?type=crawl&accountId=${accountId}&status=succeeded&limit=100`)).body.items.length as number;
    const seededIds = [...comments.map((c) => c.id), ...dms.map((m) => m.id)];

    const monitor = await f.api('POST', '/monitors', { accountId, type: 'crawl', minIntervalMs: 1000, maxIntervalMs: 1500 });
    expect(monitor.status).toBe(201);
    await waitFor('the 5 seeded messages to be announced', () => (detectedIds().length >= 5 ? true : undefined), 30_000);
    // Two more crawls see the same 5: nothing is announced again.
    const crawlsBefore = await finishedCrawls();
    await waitFor('two more crawls', async () => ((await finishedCrawls()) >= crawlsBefore + 2 ? true : undefined), 30_000, 200);
    expect([...detectedIds()].sort()).toEqual([...seededIds].sort());

    const late = await f.sandboxAdmin('/comments', { postId: post.id, author: 'carol', text: 'late to the party' });
    await waitFor('the new comment to be announced', () => (detectedIds().includes(late.id) ? true : undefined), 30_000);
    const crawlsAfter = await finishedCrawls();
    await waitFor('two more crawls', async () => ((await finishedCrawls()) >= crawlsAfter + 2 ? true : undefined), 30_000, 200);
    await f.api('DELETE', `/monitors/${monitor.body.id}`);

    const ids = detectedIds();
    const expected = [...seededIds, late.id].sort();
    expect([...ids].sort()).toEqual(expected);
    expect(ids).toHaveLength(new Set(ids).size);
    const lateEvent = client.all(ClientEvent.MessageDetected, (e) => e.message.platformMessageId === late.id)[0]!;
    expect(lateEvent.message).toEqual({
      kind: 'comment',
      platformMessageId: late.id,
      threadId: post.id,
      author: 'carol',
      text: 'late to the party',
      createdAt: late.createdAt,
    });
    const dmEvent = client.all(ClientEvent.MessageDetected, (e) => e.message.platformMessageId === dms[0].id)[0]!;
    expect(dmEvent.message).toMatchObject({ kind: 'dm', threadId: dms[0].conversationId, author: 'bob', text: 'hi alice' });

    // The master's store agrees with what the client heard.
    const stored = (await f.api('GET', `/messages?accountId=${accountId}&limit=100`)).body.items as { platformMessageId: string; kind: string }[];
    expect(stored.map((m) => m.platformMessageId).sort()).toEqual(expected);
    const storedDms = (await f.api('GET', `/messages?accountId=${accountId}&kind=dm&limit=100`)).body.items as { platformMessageId: string }[];
    expect(storedDms.map((m) => m.platformMessageId).sort()).toEqual(dms.map((m) => m.id).sort());
  });
});
