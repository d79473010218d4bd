import { html, layout, type SafeHtml } from '../html.js';

/**
 * A whole page that says what went wrong in the one place a plugin looks for it:
 * `.error[role=alert]`, the same as the login form's error.
 */
export function errorPage(title: string, message: string, signedInAs?: string, next?: SafeHtml): string {
  return layout(
    title,
    html`<h1>${title}</h1>
<p class="error" role="alert">${message}</p>
${next ?? ''}`,
    signedInAs,
  );
}

/** The alert alone, for pages that show an error above a form. */
export function errorAlert(message: string | undefined): SafeHtml | '' {
  return message ? html`<p class="error" role="alert">${message}</p>` : '';
}
