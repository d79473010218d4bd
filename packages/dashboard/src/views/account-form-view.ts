import { MASKED_SECRET } from '@fleetwright/shared/constants';
import type { AccountView, CreateAccountBody, UpdateAccountBody } from '@fleetwright/shared/contract';
import type { AppContext, View } from '../app-context.js';
import { act, actionAttrs } from '../actions.js';
import { $, html, mount } from '../render.js';
import { href, navigate } from '../router.js';

interface FormValues {
  platform: string;
  label: string;
  tags: string[];
  username: string;
  password: string;
  proxy: string;
  removeProxy: boolean;
}

function read(form: HTMLFormElement): FormValues {
  const data = new FormData(form);
  const text = (name: string): string => String(data.get(name) ?? '').trim();
  return {
    platform: text('platform'),
    label: text('label'),
    tags: text('tags')
      .split(/[\s,]+/)
      .filter(Boolean),
    username: text('username'),
    // A password may legitimately start or end with a space: keep it as typed.
    password: String(data.get('password') ?? ''),
    proxy: text('proxy'),
    removeProxy: data.get('removeProxy') === 'on',
  };
}

function createBody(v: FormValues): CreateAccountBody {
  return {
    platform: v.platform,
    ...(v.label ? { label: v.label } : {}),
    ...(v.tags.length ? { tags: v.tags } : {}),
    ...(v.username || v.password ? { credentials: { username: v.username, password: v.password } } : {}),
    ...(v.proxy ? { proxy: v.proxy } : {}),
  };
}

/** A blank secret (password, proxy) keeps the stored one: it is only sent when something was typed. */
function updateBody(v: FormValues): UpdateAccountBody {
  const credentials: NonNullable<UpdateAccountBody['credentials']> = {};
  if (v.username) credentials.username = v.username;
  if (v.password) credentials.password = v.password;
  return {
    label: v.label || null,
    tags: v.tags,
    ...(Object.keys(credentials).length ? { credentials } : {}),
    ...(v.removeProxy ? { proxy: null } : v.proxy ? { proxy: v.proxy } : {}),
  };
}

function form(ctx: AppContext, account: AccountView | undefined): ReturnType<typeof html> {
  const editing = account !== undefined;
  return html`<h1>${editing ? html`Edit ${account.label ?? account.id}` : 'New account'}</h1>
    <form class="card form" data-form="account">
      <label>Platform <input name="platform" required value="${account?.platform ?? 'sandbox'}" ${editing ? html`readonly` : ''} /></label>
      <label>Label <input name="label" value="${account?.label ?? ''}" /></label>
      <label>Tags (pools) <input name="tags" value="${account?.tags.join(', ') ?? ''}" placeholder="comma separated" /></label>
      <fieldset><legend>Credentials</legend>
        <label>Username <input name="username" autocomplete="off" value="${account?.credentials?.username ?? ''}" /></label>
        <label>Password <input name="password" type="password" autocomplete="new-password"
          placeholder="${account?.credentials ? `${MASKED_SECRET} (leave blank to keep)` : ''}" /></label>
      </fieldset>
      <fieldset><legend>Proxy</legend>
        <label>URL <input name="proxy" autocomplete="off" placeholder="${account?.proxy ? `${account.proxy} (leave blank to keep)` : 'http://user:pass@host:port'}" /></label>
        ${account?.proxy ? html`<label class="check"><input type="checkbox" name="removeProxy" /> remove the proxy</label>` : ''}
      </fieldset>
      <p class="hint">Secrets are never shown: the master keeps them encrypted and answers with ${MASKED_SECRET}.</p>
      <div class="toolbar">
        <button type="submit" ${actionAttrs(ctx)}>${editing ? 'Save' : 'Create'}</button>
        <a href="${editing ? href('accounts', account.id) : href('accounts')}">Cancel</a>
      </div>
    </form>`;
}

/** Create (`#/accounts/new`) or edit (`#/accounts/<id>/edit`) an account. */
export const accountFormView: View = async (root, ctx, route) => {
  const id = route.segments[1] === 'new' ? undefined : route.segments[1];
  const account = id ? await ctx.api.accounts.get(id) : undefined;
  mount(root, form(ctx, account));
  const el = $<HTMLFormElement>(root, 'form');
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = read(el);
    const button = $<HTMLButtonElement>(el, 'button[type="submit"]');
    const save = account ? () => ctx.api.accounts.update(account.id, updateBody(values)) : () => ctx.api.accounts.create(createBody(values));
    void act(ctx, button, account ? 'Saving the account' : 'Creating the account', save, (saved) => `account ${saved.label ?? saved.id} saved`).then(
      (saved) => {
        if (saved) navigate(href('accounts', saved.id));
      },
    );
  });
};
