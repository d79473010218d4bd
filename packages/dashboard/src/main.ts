import { EventClient, FleetApiError, RestClient } from '@fleetwright/client';
import type { AppContext, Role } from './app-context.js';
import { describeError } from './actions.js';
import { html, mount } from './render.js';
import { currentRoute } from './router.js';
import { viewFor } from './routes.js';
import { Scope } from './scope.js';
import { Shell } from './shell.js';
import { followHumanRequests } from './human-needed-notices.js';
import { signInView } from './views/sign-in-view.js';

/** The master refuses a cookie-authenticated change without it: a cross-site form cannot send it. */
const DASHBOARD_HEADER = { 'x-fleet-dashboard': '1' };

const root = document.getElementById('app')!;
// No token in the page: the master's httpOnly session cookie authenticates REST and the socket.
const api = new RestClient({ baseUrl: location.origin, headers: DASHBOARD_HEADER });

async function boot(): Promise<void> {
  let role: Role;
  try {
    role = (await api.session.get()).role;
  } catch (error) {
    if (error instanceof FleetApiError && error.httpStatus === 401) {
      signInView(root, api, () => void boot());
      return;
    }
    mount(root, html`<p class="error" role="alert">Cannot reach the master — ${describeError(error)}</p>`);
    return;
  }
  start(role);
}

function start(role: Role): void {
  const live = new EventClient(location.origin);
  let scope = new Scope();
  const signOut = (): void => {
    scope.dispose();
    live.close();
    window.removeEventListener('hashchange', render);
    void api.session.signOut().finally(() => {
      history.replaceState(null, '', location.pathname);
      void boot();
    });
  };
  const shell = new Shell(root, role, signOut);
  followHumanRequests(root, live);
  const ctx: AppContext = { api, live, role, canChange: role !== 'viewer', toast: (m, k) => shell.toast(m, k) };
  live.socket.on('connect', () => shell.setLive('live'));
  live.socket.on('disconnect', () => shell.setLive('reconnecting'));
  live.socket.io.on('reconnect_attempt', () => shell.setLive('reconnecting'));
  live.connect().catch((error: unknown) => shell.toast(`live events unavailable — ${describeError(error)}`, 'error'));

  function render(): void {
    scope.dispose();
    scope = new Scope();
    const route = currentRoute();
    shell.select(route.segments[0] ?? 'overview');
    const section = document.createElement('section');
    section.className = 'page';
    shell.view.replaceChildren(section);
    const current = scope;
    Promise.resolve(viewFor(route)(section, ctx, route, current)).catch((error: unknown) => {
      if (!current.disposed) mount(section, html`<p class="error" role="alert">${describeError(error)}</p>`);
    });
  }
  window.addEventListener('hashchange', render);
  render();
}

void boot();
