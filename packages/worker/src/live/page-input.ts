import type { Page } from 'playwright-core';
import type { LiveInputCommand } from '@fleetwright/shared';

type Input = LiveInputCommand['input'];

/** The page's viewport in CSS pixels: the frame's fractions are scaled to it. */
async function viewportOf(page: Page): Promise<{ width: number; height: number }> {
  return page.viewportSize() ?? (await page.evaluate(() => ({ width: window.innerWidth, height: window.innerHeight })));
}

/**
 * Replays one input of the person holding the session on the page, through Playwright's mouse
 * and keyboard. Nothing of it is logged: what a person types (a one-time code, a password) must
 * not reach run.log or the worker's log.
 */
export async function applyInput(page: Page, input: Input): Promise<void> {
  switch (input.type) {
    case 'mouse': {
      const { width, height } = await viewportOf(page);
      const x = input.x * width;
      const y = input.y * height;
      if (input.action === 'click') return page.mouse.click(x, y, { button: input.button });
      await page.mouse.move(x, y);
      if (input.action === 'down') await page.mouse.down({ button: input.button });
      if (input.action === 'up') await page.mouse.up({ button: input.button });
      return;
    }
    case 'wheel': {
      const { width, height } = await viewportOf(page);
      await page.mouse.move(input.x * width, input.y * height);
      return page.mouse.wheel(input.deltaX, input.deltaY);
    }
    case 'key':
      if (input.action === 'down') return page.keyboard.down(input.key);
      if (input.action === 'up') return page.keyboard.up(input.key);
      return page.keyboard.press(input.key);
    case 'text':
      return page.keyboard.insertText(input.text);
  }
}
