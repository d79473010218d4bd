import { FleetError } from '@fleetwright/shared/constants';
import type { AppContext } from './app-context.js';
import { html, type SafeHtml } from './render.js';

const VIEWER_NOTE = 'viewers cannot change anything';

/**
 * Attributes for an action button or form control: disabled, with the reason as its title, for a
 * viewer. Only a convenience: the master refuses a viewer's change whatever the page does.
 */
export function actionAttrs(ctx: AppContext): SafeHtml {
  return ctx.canChange ? html`` : html`disabled title="${VIEWER_NOTE}" data-viewer-disabled`;
}

/** Describes an API or socket refusal as the master worded it: `FORBIDDEN: a viewer token cannot…`. */
export function describeError(error: unknown): string {
  if (error instanceof FleetError) return `${error.code}: ${error.message}${error.field ? ` (${error.field})` : ''}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs an action from a button: the button is disabled while it runs, a refusal is shown as an
 * error toast (and resolves to undefined), success optionally as an info toast.
 */
export async function act<T>(
  ctx: AppContext,
  button: HTMLButtonElement | null,
  what: string,
  run: () => Promise<T>,
  done?: (result: T) => string | undefined,
): Promise<T | undefined> {
  if (button) button.disabled = true;
  try {
    const result = await run();
    const message = done?.(result);
    if (message) ctx.toast(message, 'info');
    return result;
  } catch (error) {
    ctx.toast(`${what} refused — ${describeError(error)}`, 'error');
    return undefined;
  } finally {
    if (button && ctx.canChange) button.disabled = false;
  }
}
