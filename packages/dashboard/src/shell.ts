import type { Role } from './app-context.js';
import { $, html, mount } from './render.js';

const NAV = [
  ['overview', 'Overview'],
  ['workers', 'Workers'],
  ['accounts', 'Accounts'],
  ['jobs', 'Jobs'],
  ['messages', 'Messages'],
  ['limits', 'Limits'],
] as const;

/** The frame around every page: navigation, who is signed in, the live connection, toasts. */
export class Shell {
  readonly view: HTMLElement;
  private readonly toasts: HTMLElement;
  private readonly liveDot: HTMLElement;

  constructor(root: HTMLElement, role: Role, onSignOut: () => void) {
    mount(
      root,
      html`<header class="topbar">
          <a class="brand" href="#/overview">Fleetwright</a>
          <nav class="nav">${NAV.map(([path, label]) => html`<a href="#/${path}" data-nav="${path}">${label}</a>`)}</nav>
          <span class="live" data-live="connecting" title="live events">connecting</span>
          <span class="role" data-role="${role}">${role}</span>
          <button type="button" class="link" data-action="sign-out">Sign out</button>
        </header>
        <main id="view"></main>
        <div class="toasts" aria-live="polite"></div>`,
    );
    this.view = $(root, '#view');
    this.toasts = $(root, '.toasts');
    this.liveDot = $(root, '.live');
    $(root, '[data-action="sign-out"]').addEventListener('click', onSignOut);
  }

  /** Marks the nav link of the page shown. */
  select(section: string | undefined): void {
    for (const link of document.querySelectorAll<HTMLElement>('[data-nav]')) link.classList.toggle('active', link.dataset.nav === section);
  }

  setLive(state: 'live' | 'reconnecting' | 'connecting'): void {
    this.liveDot.dataset.live = state;
    this.liveDot.textContent = state;
  }

  toast(message: string, kind: 'info' | 'error' = 'info'): void {
    const el = document.createElement('div');
    el.className = `toast toast-${kind}`;
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    el.textContent = message;
    this.toasts.append(el);
    setTimeout(() => el.remove(), kind === 'error' ? 12_000 : 5000);
  }
}
