import { describe, expect, it } from 'vitest';
import { AccountBrowsers } from '../dist/accounts/account-browsers.js';

// Pure bookkeeping (which worker's heartbeat may stop which account), so a unit test with a fixed ownership.
describe('account browsers per worker', () => {
  const owners: Record<string, { id: string; epoch: number }[]> = {
    w1: [
      { id: 'a1', epoch: 1 },
      { id: 'a2', epoch: 1 },
    ],
    w2: [
      { id: 'a2', epoch: 2 },
      { id: 'a3', epoch: 1 },
    ],
  };
  const running = (accountId: string) => ({ accountId, state: 'running' as const, fenceToken: 1, error: null });

  it("stops only the heartbeating worker's own unlisted accounts, following an account that moved to another worker", () => {
    const browsers = new AccountBrowsers();
    const stopped: string[] = [];
    browsers.onChange((accountId, view) => view.state === 'stopped' && stopped.push(accountId));
    browsers.replaceWorker('w1', [running('a1'), running('a2')], owners.w1!);
    // a2 moves to w2: w1's next heartbeat, without a2, must not stop it.
    browsers.report('w2', running('a2'));
    browsers.replaceWorker('w1', [running('a1')], owners.w1!);
    expect(stopped).toEqual([]);
    expect(browsers.view('a2').workerId).toBe('w2');
    browsers.replaceWorker('w1', [], owners.w1!);
    expect(stopped).toEqual(['a1']);
    // A reading mirrored from the leader belongs to its worker too: that worker going away stops it.
    browsers.mirror('a3', { state: 'running', workerId: 'w2', lockHolder: { workerId: 'w2', fenceToken: 3 }, error: null, updatedAt: null });
    browsers.workerGone('w2');
    expect(stopped.sort()).toEqual(['a1', 'a2', 'a3']);
    expect(browsers.views()).toEqual([]);
    // After a clear, a heartbeat starts from nothing.
    browsers.replaceWorker('w1', [running('a1')], owners.w1!);
    browsers.clear();
    browsers.workerGone('w1');
    expect(stopped).toHaveLength(3);
  });

  it('keeps a change reported after a heartbeat arrived over the older list it applies once written', () => {
    const browsers = new AccountBrowsers();
    // The heartbeat arrives listing nothing (a1 not open yet); a1's start is reported while it is written.
    const arrived = browsers.stamp();
    browsers.report('w1', { accountId: 'a1', state: 'starting', fenceToken: null, error: null });
    browsers.replaceWorker('w1', [], owners.w1!, arrived);
    expect(browsers.view('a1').state).toBe('starting');
    // A list taken after it applies as usual.
    browsers.replaceWorker('w1', [running('a1')], owners.w1!, browsers.stamp());
    expect(browsers.view('a1')).toMatchObject({ state: 'running', workerId: 'w1' });
    const later = browsers.stamp();
    browsers.report('w1', { accountId: 'a1', state: 'error', fenceToken: null, error: 'crashed' });
    browsers.replaceWorker('w1', [running('a1')], owners.w1!, later);
    expect(browsers.view('a1')).toMatchObject({ state: 'error', error: 'crashed' });
    browsers.replaceWorker('w1', [], owners.w1!, browsers.stamp());
    expect(browsers.view('a1').state).toBe('stopped');
  });
});
