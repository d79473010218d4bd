import { ClientEvent } from '@fleetwright/shared/constants';
import type { AccountView, LiveInput } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { act, actionAttrs, describeError } from '../actions.js';
import { $, html, mount } from '../render.js';
import type { Scope } from '../scope.js';

/** The step a job shows while it waits in `askHuman` (the contract's WAITING_FOR_A_PERSON). */
const WAITING_STEP = 'waiting for a person';

/** Keys that only modify others: the page gets them with the key they modify. */
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock']);

/**
 * The account's live page (frames of the worker's screencast) and its takeover: "Take over"
 * claims the session, then clicks, keys, wheel and paste on the picture go to the page, in order;
 * "Done" hands it back and a job waiting for a person goes on.
 */
export function accountLivePanel(el: HTMLElement, ctx: AppContext, scope: Scope, account: AccountView): void {
  mount(
    el,
    html`<h2>Live view</h2>
      <p data-live-needed class="notice" role="alert" hidden></p>
      <div class="toolbar">
        <button type="button" data-live-action="watch">Watch</button>
        <button type="button" data-live-action="claim" ${actionAttrs(ctx)}>Take over</button>
        <button type="button" data-live-action="release" disabled>Done</button>
        <span data-live-state class="sub"></span>
      </div>
      <div class="live-screen" data-live-screen tabindex="0" aria-label="the account's page">
        <img data-live-frame alt="live view of the account's page" hidden />
      </div>`,
  );
  const screen = $(el, '[data-live-screen]');
  const frame = $<HTMLImageElement>(el, '[data-live-frame]');
  const state = $(el, '[data-live-state]');
  const needed = $(el, '[data-live-needed]');
  const watchButton = $<HTMLButtonElement>(el, '[data-live-action="watch"]');
  const claimButton = $<HTMLButtonElement>(el, '[data-live-action="claim"]');
  const releaseButton = $<HTMLButtonElement>(el, '[data-live-action="release"]');
  let watching = false;
  let holding = false;
  // Inputs go one after the other: the page must get keys in the order they were typed.
  let sending: Promise<unknown> = Promise.resolve();

  const showHolding = (held: boolean): void => {
    holding = held;
    screen.classList.toggle('held', held);
    releaseButton.disabled = !held;
    if (ctx.canChange) claimButton.disabled = held;
    state.textContent = held ? 'You hold the page: click, type, scroll or paste on it.' : watching ? 'Watching.' : '';
    if (held) screen.focus();
  };
  const watch = async (on: boolean): Promise<void> => {
    if (on === watching) return;
    watching = on;
    watchButton.textContent = on ? 'Stop watching' : 'Watch';
    if (on) await ctx.live.watch(account.id);
    else await ctx.live.unwatch(account.id).catch(() => undefined);
    frame.hidden = !on;
    showHolding(holding);
  };
  const send = (input: LiveInput): void => {
    if (!holding) return;
    sending = sending.then(() => ctx.live.input(account.id, input)).catch((error: unknown) => ctx.toast(`input refused — ${describeError(error)}`, 'error'));
  };
  const position = (event: MouseEvent): { x: number; y: number } => {
    const box = frame.getBoundingClientRect();
    return { x: Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)), y: Math.min(1, Math.max(0, (event.clientY - box.top) / box.height)) };
  };

  scope.add(
    ctx.live.on(ClientEvent.LiveFrame, (f) => {
      if (f.accountId !== account.id || !watching) return;
      frame.src = `data:image/jpeg;base64,${f.data}`;
      frame.dataset.seq = String(f.seq);
      // The page's own size in CSS pixels: the picture may be scaled down from it.
      frame.dataset.viewport = `${f.width}x${f.height}`;
      frame.hidden = false;
    }),
  );
  scope.add(
    ctx.live.on(ClientEvent.HumanNeeded, (e) => {
      if (e.accountId !== account.id) return;
      needed.textContent = `A job needs a person: ${e.reason}`;
      needed.hidden = false;
    }),
  );
  scope.add(
    ctx.live.on(ClientEvent.Takeover, (t) => {
      if (t.accountId !== account.id || t.heldBy !== null) return;
      needed.hidden = true;
      showHolding(false);
    }),
  );
  scope.add(() => {
    if (watching) void ctx.live.unwatch(account.id).catch(() => undefined);
  });
  // A job that asked before this page opened (the notice's link leads here): say so at once.
  void ctx.api.jobs.list({ accountId: account.id, status: 'running', limit: 1 }).then(
    ({ items }) => {
      const waiting = items[0]?.progress;
      if (scope.disposed || waiting?.step !== WAITING_STEP || !needed.hidden) return;
      needed.textContent = `A job needs a person: ${waiting.message ?? ''}`;
      needed.hidden = false;
    },
    () => undefined,
  );

  watchButton.addEventListener('click', () => void act(ctx, watchButton, 'Watching the page', () => watch(!watching)));
  claimButton.addEventListener('click', () => {
    void act(ctx, claimButton, 'Taking over', async () => {
      await watch(true);
      await ctx.api.accounts.claim(account.id);
      showHolding(true);
    });
  });
  releaseButton.addEventListener('click', () => {
    void act(ctx, releaseButton, 'Handing back', async () => {
      await sending;
      await ctx.api.accounts.release(account.id);
      showHolding(false);
      needed.hidden = true;
    });
  });

  screen.addEventListener('click', (event) => {
    if (!holding) return;
    screen.focus();
    send({ type: 'mouse', action: 'click', ...position(event) });
  });
  screen.addEventListener(
    'wheel',
    (event) => {
      if (!holding) return;
      event.preventDefault();
      send({ type: 'wheel', ...position(event), deltaX: event.deltaX, deltaY: event.deltaY });
    },
    { passive: false },
  );
  screen.addEventListener('keydown', (event) => {
    if (!holding || MODIFIERS.has(event.key)) return;
    // Paste comes as its own event with the text.
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'v') return;
    event.preventDefault();
    send({ type: 'key', action: 'press', key: event.key });
  });
  screen.addEventListener('paste', (event) => {
    const text = event.clipboardData?.getData('text/plain');
    if (!holding || !text) return;
    event.preventDefault();
    send({ type: 'text', text });
  });
}
