import type { View } from './app-context.js';
import { html, mount } from './render.js';
import type { Route } from './router.js';
import { accountFormView } from './views/account-form-view.js';
import { accountView } from './views/account-view.js';
import { accountsView } from './views/accounts-view.js';
import { jobView } from './views/job-view.js';
import { jobsView } from './views/jobs-view.js';
import { limitsView } from './views/limits-view.js';
import { messagesView } from './views/messages-view.js';
import { overviewView } from './views/overview-view.js';
import { workersView } from './views/workers-view.js';

const notFound: View = (root, _ctx, route) => mount(root, html`<h1>Not found</h1><p>No page at <code>#/${route.segments.join('/')}</code>.</p>`);

/** The page for a route: `#/section` or `#/section/<id>`. */
export function viewFor(route: Route): View {
  const [section = 'overview', id] = route.segments;
  switch (section) {
    case 'overview':
      return overviewView;
    case 'workers':
      return workersView;
    case 'accounts':
      if (id === 'new') return accountFormView;
      if (id && route.segments[2] === 'edit') return accountFormView;
      return id ? accountView : accountsView;
    case 'jobs':
      return id ? jobView : jobsView;
    case 'messages':
      return messagesView;
    case 'limits':
      return limitsView;
    default:
      return notFound;
  }
}
