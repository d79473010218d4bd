import { ClientEvent } from '@fleetwright/shared/constants';
import type { EventClient } from '@fleetwright/client';
import { html, mount } from './render.js';
import { href } from './router.js';

/**
 * A notice on every page when a job asks for a person, with a link to its account's live view;
 * it goes when someone hands the session back or the job ends.
 */
export function followHumanRequests(root: HTMLElement, live: EventClient): void {
  const area = document.createElement('div');
  area.className = 'notices';
  root.append(area);
  const byAccount = new Map<string, HTMLElement>();
  const drop = (accountId: string | null): void => {
    if (!accountId) return;
    byAccount.get(accountId)?.remove();
    byAccount.delete(accountId);
  };
  live.on(ClientEvent.HumanNeeded, (e) => {
    drop(e.accountId);
    const notice = document.createElement('div');
    notice.className = 'notice';
    notice.setAttribute('role', 'alert');
    notice.dataset.humanNeeded = e.accountId;
    mount(notice, html`<strong>A job needs a person.</strong> ${e.reason} <a href="${href('accounts', e.accountId)}">Take over</a>`);
    area.append(notice);
    byAccount.set(e.accountId, notice);
  });
  live.on(ClientEvent.Takeover, (t) => t.heldBy === null && drop(t.accountId));
  live.on(ClientEvent.JobDone, (job) => drop(job.accountId));
}
