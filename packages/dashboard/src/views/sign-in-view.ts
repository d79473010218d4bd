import type { RestClient } from '@fleetwright/client';
import { describeError } from '../actions.js';
import { $, html, mount } from '../render.js';

/**
 * Token in, cookie out: the master answers with an httpOnly cookie, so the token never stays in
 * the page (nor in localStorage) once signed in.
 */
export function signInView(root: HTMLElement, api: RestClient, onSignedIn: () => void): void {
  mount(
    root,
    html`<section class="sign-in">
      <h1>Fleetwright</h1>
      <form class="card" data-form="sign-in">
        <label>API token <input name="token" type="password" autocomplete="current-password" required autofocus /></label>
        <button type="submit">Sign in</button>
        <p class="error" role="alert" hidden></p>
        <p class="hint">An admin, operator or viewer token. Viewers can look, not change.</p>
      </form>
    </section>`,
  );
  const form = $<HTMLFormElement>(root, 'form');
  const error = $(root, '.error');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = form.elements.namedItem('token') as HTMLInputElement;
    const button = $<HTMLButtonElement>(form, 'button');
    button.disabled = true;
    error.hidden = true;
    api.session
      .signIn(input.value.trim())
      .then(() => {
        input.value = '';
        if (!location.hash || location.hash === '#/') history.replaceState(null, '', '#/overview');
        onSignedIn();
      })
      .catch((e: unknown) => {
        error.textContent = `Sign-in refused — ${describeError(e)}`;
        error.hidden = false;
        button.disabled = false;
      });
  });
}
