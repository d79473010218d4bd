import type { MessageView } from '@fleetwright/client';
import { ClientEvent, ClientRequest } from '@fleetwright/shared/constants';
import type { MessageDetectedEvent } from '@fleetwright/shared/contract';
import type { AppContext, View } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { formatAge, shortId } from '../format.js';
import { $, delegate, html, mount, type SafeHtml } from '../render.js';
import { href, navigate } from '../router.js';
import { CursorPager } from '../cursor-pager.js';
import { pagerControls } from '../widgets.js';

const PAGE_SIZE = 50;

/** A message as the feed shows it: from the list (a MessageView) or from a live event. */
type Shown = Omit<MessageView, 'id' | 'platform'>;

/** What a reply answers: a comment by its own id, a DM by its conversation. */
function replyTarget(m: Shown): string {
  return m.kind === 'dm' ? (m.threadId ?? m.platformMessageId) : m.platformMessageId;
}

function item(ctx: AppContext, m: Shown, fresh = false): SafeHtml {
  return html`<li class="message${fresh ? ' fresh' : ''}" data-message="${m.platformMessageId}" data-account-id="${m.accountId}" data-kind="${m.kind}" data-target="${replyTarget(m)}">
    <div class="message-head"><span class="tag">${m.kind}</span> <strong>${m.author}</strong> → <a class="mono" href="${href('accounts', m.accountId)}">${shortId(m.accountId)}</a> <span class="sub" title="${m.detectedAt}">${formatAge(m.detectedAt)}</span></div>
    <p class="message-text">${m.text}</p>
    <button type="button" class="link" data-action="reply" ${actionAttrs(ctx)}>Reply</button>
    <form class="reply" hidden><textarea name="text" rows="2" required aria-label="reply text"></textarea><button type="submit" ${actionAttrs(ctx)}>Send reply</button></form>
    <p class="sub" data-reply-status></p>
  </li>`;
}

function fromEvent(e: MessageDetectedEvent): Shown {
  const m = e.message;
  return {
    accountId: e.accountId,
    kind: m.kind,
    platformMessageId: m.platformMessageId,
    threadId: m.threadId ?? null,
    author: m.author,
    text: m.text,
    detectedAt: new Date().toISOString(),
  };
}

/** Comments and DMs found by crawls: a live feed on top of the stored, paged history; reply in place. */
export const messagesView: View = async (root, ctx, route, scope) => {
  const accountId = route.query.get('accountId') ?? '';
  const kind = route.query.get('kind') === 'dm' || route.query.get('kind') === 'comment' ? (route.query.get('kind') as 'dm' | 'comment') : undefined;
  mount(
    root,
    html`<h1>Messages</h1>
      <form class="toolbar filters" data-form="filters">
        <label>Kind <select name="kind"><option value="">any</option><option ${kind === 'comment' ? html`selected` : ''}>comment</option><option ${kind === 'dm' ? html`selected` : ''}>dm</option></select></label>
        <label>Account <input name="accountId" value="${accountId}" size="24" /></label>
        <button type="submit">Filter</button>
      </form>
      <ul class="feed" data-feed="live"></ul>
      <ul class="feed" data-feed="stored"></ul>
      <div data-pager></div>`,
  );
  const live = $(root, '[data-feed="live"]');
  const stored = $(root, '[data-feed="stored"]');
  const pagerEl = $(root, '[data-pager]');
  const pager = new CursorPager<MessageView>((cursor) =>
    ctx.api.messages.list({ ...(accountId ? { accountId } : {}), ...(kind ? { kind } : {}), limit: PAGE_SIZE, cursor }),
  );
  const show = (): void => {
    if (scope.disposed) return;
    live.hidden = !pager.onFirstPage;
    mount(
      stored,
      pager.items.length ? html`${pager.items.map((m) => item(ctx, m))}` : html`<li class="empty">No messages yet: crawls and monitors find them.</li>`,
    );
    mount(pagerEl, pagerControls(pager));
  };
  scope.add(
    ctx.live.on(ClientEvent.MessageDetected, (e) => {
      if ((accountId && e.accountId !== accountId) || (kind && e.message.kind !== kind)) return;
      if (stored.querySelector(`[data-message="${CSS.escape(e.message.platformMessageId)}"][data-account-id="${CSS.escape(e.accountId)}"]`)) return;
      live.insertAdjacentHTML('afterbegin', item(ctx, fromEvent(e), true).value);
      stored.querySelector(':scope > .empty')?.remove();
    }),
  );
  scope.add(
    ctx.live.on(ClientEvent.ReplyResult, (e) => {
      const status = root.querySelector(`[data-reply-job="${CSS.escape(e.jobId)}"]`);
      if (status) status.textContent = e.alreadyPosted ? `already answered (${e.replyId}); nothing posted again` : `replied: ${e.replyId}`;
    }),
  );
  delegate(root, 'click', '[data-action="reply"]', (button) => {
    const form = button.parentElement!.querySelector<HTMLFormElement>('form.reply')!;
    form.hidden = !form.hidden;
    if (!form.hidden) form.querySelector('textarea')!.focus();
  });
  delegate<SubmitEvent>(root, 'submit', 'form.reply', (form, event) => {
    event.preventDefault();
    const li = form.closest<HTMLElement>('li')!;
    const text = String(new FormData(form as HTMLFormElement).get('text') ?? '').trim();
    const request = { accountId: li.dataset.accountId!, kind: li.dataset.kind as 'comment' | 'dm', targetId: li.dataset.target!, text };
    void act(ctx, form.querySelector('button'), 'Replying', () => ctx.live.request(ClientRequest.ReplyExecute, request)).then((job) => {
      if (!job) return;
      (form as HTMLFormElement).hidden = true;
      const status = li.querySelector<HTMLElement>('[data-reply-status]')!;
      status.dataset.replyJob = job.id;
      mount(status, html`reply queued as <a class="mono" href="${href('jobs', job.id)}">${shortId(job.id)}</a>`);
    });
  });
  delegate(root, 'click', '[data-page]', (button) => {
    void (button.dataset.page === 'older' ? pager.older() : pager.newer()).then(show);
  });
  $<HTMLFormElement>(root, '[data-form="filters"]').addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    navigate(href('messages', { kind: String(data.get('kind') ?? '') || undefined, accountId: String(data.get('accountId') ?? '').trim() || undefined }));
  });
  await pager.reload();
  show();
};
