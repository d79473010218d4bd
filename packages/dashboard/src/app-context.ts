import type { EventClient, RestClient, TokenView } from '@fleetwright/client';
import type { Route } from './router.js';
import type { Scope } from './scope.js';

export type Role = TokenView['role'];

/** What every view is given: the API (cookie-authenticated), the live events, and who is signed in. */
export interface AppContext {
  api: RestClient;
  live: EventClient;
  role: Role;
  /** False for viewers: actions are disabled (and the master refuses them anyway). */
  canChange: boolean;
  /** Shows a short message; `error` ones are announced as alerts. */
  toast(message: string, kind?: 'info' | 'error'): void;
}

/** A page: renders into `root` and registers its subscriptions and timers on `scope`. */
export type View = (root: HTMLElement, ctx: AppContext, route: Route, scope: Scope) => void | Promise<void>;
