import type { AccountView } from '@fleetwright/shared/contract';
import { ACCOUNT_STEPS } from '@fleetwright/shared/constants';
import { formatAge, formatTime } from '../format.js';
import { html, type SafeHtml } from '../render.js';
import { href } from '../router.js';
import { badge } from '../widgets.js';

/** The account's per-step status fields (`login`, `invite`, `team_join`), each with its age. */
export function stepBadges(account: AccountView): SafeHtml {
  return html`${ACCOUNT_STEPS.map((step) => {
    const s = account.steps[step];
    return html`<span class="step" data-step="${step}" title="${s?.updatedAt ? `updated ${formatAge(s.updatedAt)}` : 'never'}">${step} ${badge(s?.status ?? 'not_started')}</span>`;
  })}`;
}

/**
 * Where the account's browser profile lives, from what the API has: its owner worker and
 * assignment epoch, and whether the master holds a session snapshot (storage state).
 */
export function placement(account: AccountView): SafeHtml {
  const owner = account.ownerWorkerId
    ? html`<a href="${href('workers')}">${account.ownerWorkerId}</a> <span class="sub">epoch ${account.epoch}</span>`
    : html`<span class="sub">unassigned</span>`;
  const state = account.hasStorageState
    ? html`<span class="sub">session snapshot v${account.storageStateVersion}</span>`
    : html`<span class="sub">no session snapshot</span>`;
  return html`${owner}<div>${state}</div>`;
}

/**
 * The account's browser: its state, the worker and fencing token of the profile lock while it
 * runs, and why it failed.
 */
export function browserState(account: AccountView): SafeHtml {
  const { state, lockHolder, error, workerId } = account.browser;
  const lock = lockHolder
    ? html`<div class="sub" data-lock-holder="${lockHolder.workerId}">lock: ${lockHolder.workerId} · fence ${lockHolder.fenceToken}</div>`
    : html`<div class="sub">lock: none</div>`;
  const why = error ? html`<div class="sub error-text" data-browser-error>${error}</div>` : html``;
  const where = workerId && !lockHolder && state !== 'stopped' ? html`<div class="sub">on ${workerId}</div>` : html``;
  return html`<span data-browser-state="${state}">${badge(state)}</span>${where}${lock}${why}`;
}

/** Start (warm it) and stop (hibernate it) buttons; disabled for viewers and when they make no sense. */
export function browserButtons(account: AccountView, canChange: boolean): SafeHtml {
  const viewer = canChange ? html`` : html`disabled title="viewers cannot change anything" data-viewer-disabled`;
  const { state } = account.browser;
  const canStart = account.ownerWorkerId !== null && (state === 'stopped' || state === 'error');
  const canStop = state === 'running';
  const canReset = account.ownerWorkerId !== null && state !== 'stopped';
  return html`<span class="button-row">
    <button type="button" data-browser-action="start" data-account="${account.id}" ${viewer} ${canStart || !canChange ? '' : html`disabled`} title="open the browser on its worker (warm it)">Start</button>
    <button type="button" data-browser-action="stop" data-account="${account.id}" ${viewer} ${canStop || !canChange ? '' : html`disabled`} title="snapshot and close the browser, keeping its profile (hibernate it)">Stop</button>
    <button type="button" data-browser-action="reset" data-account="${account.id}" ${viewer} ${canReset || !canChange ? '' : html`disabled`} title="force-close a stuck browser: its running job fails and runs again, the browser reopens">Reset</button>
  </span>`;
}

export function accountName(account: AccountView): SafeHtml {
  return html`<a href="${href('accounts', account.id)}"><strong>${account.label ?? account.credentials?.username ?? account.id}</strong></a><div class="sub mono">${account.id}</div>`;
}

export function tagList(tags: string[]): SafeHtml {
  return tags.length ? html`${tags.map((t) => html`<span class="tag">${t}</span>`)}` : html`<span class="sub">–</span>`;
}

/** When the platform's throttle pauses the account (its own pause or its platform's): until when; nothing otherwise. */
export function pauseNote(account: AccountView): SafeHtml {
  if (!account.pausedUntil) return html``;
  return html`<div class="sub" data-paused-until="${account.pausedUntil}" title="the platform throttled it; its jobs wait">${badge('paused')} until ${formatTime(account.pausedUntil)}</div>`;
}
