import { ClientEvent, ClientRequest } from '@fleetwright/shared/constants';
import type { AccountView, JobView } from '@fleetwright/shared/contract';
import type { AppContext } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { $, delegate, html, mount } from '../render.js';
import { href } from '../router.js';
import type { Scope } from '../scope.js';
import { badge, progressBar, updateBadge, updateProgressBar } from '../widgets.js';

const PNG_DATA_URL = 'data:image/png;base64,';
const ACTIVE = new Set(['queued', 'dispatched', 'running']);

/**
 * Starts a login (password or QR) over `/client` and follows it: the QR code appears as soon as
 * the worker reads it from the site (`login:qrcode`), then the login status (`login:status`).
 */
export async function accountLoginPanel(el: HTMLElement, ctx: AppContext, scope: Scope, account: AccountView): Promise<void> {
  mount(
    el,
    html`<h2>Login</h2>
      <div class="toolbar">
        <button type="button" data-login="password" ${actionAttrs(ctx)} ${account.credentials ? '' : html`disabled title="no credentials stored"`}>Log in with password</button>
        <button type="button" data-login="qr" ${actionAttrs(ctx)}>Log in by QR code</button>
      </div>
      <div data-login-job></div>
      <p data-login-status role="status"></p>
      <figure data-qr hidden><img alt="QR code to approve on the phone" width="256" height="256" /><figcaption>Scan with the platform's app to approve.</figcaption></figure>`,
  );
  const jobEl = $(el, '[data-login-job]');
  const statusEl = $(el, '[data-login-status]');
  const qr = $(el, '[data-qr]');
  let jobId: string | undefined;

  const showJob = (job: JobView): void => {
    jobId = job.id;
    mount(
      jobEl,
      html`<p><a href="${href('jobs', job.id)}" class="mono">login job ${job.id}</a> ${badge(job.status)}</p>${progressBar(job.status, job.progress)}`,
    );
  };
  const showQr = (dataUrl: string): void => {
    if (!dataUrl.startsWith(PNG_DATA_URL)) return;
    $<HTMLImageElement>(qr, 'img').src = dataUrl;
    qr.hidden = false;
  };
  const showStatus = (status: string, message?: string): void => {
    mount(statusEl, html`Login status: ${badge(status)} ${message ?? ''}`);
    if (status !== 'waiting_scan') qr.hidden = true;
  };

  scope.add(ctx.live.on(ClientEvent.LoginQrCode, (e) => e.accountId === account.id && (!jobId || e.jobId === jobId) && showQr(e.dataUrl)));
  scope.add(ctx.live.on(ClientEvent.LoginStatus, (e) => e.accountId === account.id && (!jobId || e.jobId === jobId) && showStatus(e.status, e.message)));
  scope.add(
    ctx.live.on(ClientEvent.JobProgress, (e) => {
      if (e.jobId !== jobId) return;
      const bar = jobEl.querySelector('[role="progressbar"]');
      if (bar) updateProgressBar(bar, e.status, e.progress);
      const b = jobEl.querySelector('.badge');
      if (b) updateBadge(b, e.status);
    }),
  );
  scope.add(
    ctx.live.on(ClientEvent.JobDone, (job) => {
      if (job.id !== jobId) return;
      showJob(job);
      if (job.status !== 'succeeded') qr.hidden = true;
    }),
  );

  delegate(el, 'click', '[data-login]', (button) => {
    const method = button.dataset.login as 'password' | 'qr';
    qr.hidden = true;
    mount(statusEl, html``);
    void act(ctx, button as HTMLButtonElement, `Starting a ${method} login`, () =>
      ctx.live.request(ClientRequest.LoginStart, { accountId: account.id, method }),
    ).then((job) => job && showJob(job));
  });

  // A login already under way (started elsewhere, or before a reload): show it, and its QR code if any.
  const latest = (await ctx.api.jobs.list({ accountId: account.id, type: 'login', limit: 1 })).items[0];
  if (latest && !scope.disposed && jobId === undefined) {
    showJob(latest);
    if (ACTIVE.has(latest.status)) {
      const code = await ctx.api.jobs.qrCode(latest.id).catch(() => undefined);
      if (code && !scope.disposed) showQr(code.dataUrl);
    }
  }
}
