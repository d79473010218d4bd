import type { AccountView } from '@fleetwright/shared/contract';
import { ACCOUNT_STEPS } from '@fleetwright/shared/contract';
import { formatAge } from '../format.js';
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
  const owner = account.ownerWorkerId ? html`<a href="${href('workers')}">${account.ownerWorkerId}</a> <span class="sub">epoch ${account.epoch}</span>` : html`<span class="sub">unassigned</span>`;
  const state = account.hasStorageState ? html`<span class="sub">session snapshot v${account.storageStateVersion}</span>` : html`<span class="sub">no session snapshot</span>`;
  return html`${owner}<div>${state}</div>`;
}

export function accountName(account: AccountView): SafeHtml {
  return html`<a href="${href('accounts', account.id)}"><strong>${account.label ?? account.credentials?.username ?? account.id}</strong></a><div class="sub mono">${account.id}</div>`;
}

export function tagList(tags: string[]): SafeHtml {
  return tags.length ? html`${tags.map((t) => html`<span class="tag">${t}</span>`)}` : html`<span class="sub">–</span>`;
}
