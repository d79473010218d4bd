import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from '@fleetwright/shared';
import { PageScreencast, type ScreencastFrame } from '../dist/live/page-screencast.js';

describe("a page's screencast", () => {
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
  });

  it('sends at most 5 frames a second, one at a time, and ends on the final state of a page that changed faster', async () => {
    browser = await chromium.launch({ executablePath: findChromium() });
    const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
    await page.setContent('<h1 id="n" style="font-size:120px">0</h1>');
    const frames: ScreencastFrame[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const cast = new PageScreencast(page, async (frame) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      frames.push(frame);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight -= 1;
    });
    const started = Date.now();
    await cast.start();
    for (let i = 1; i <= 40; i += 1) {
      await page.evaluate((n) => (document.getElementById('n')!.textContent = String(n)), i);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    // The view ends on "40": wait for the frame that shows it, then stop.
    const reference = `data:image/png;base64,${(await page.screenshot({ type: 'png' })).toString('base64')}`;
    const viewer = await browser.newPage({ viewport: { width: 640, height: 400 } });
    const distanceToFinal = (jpeg: string): Promise<number> =>
      viewer.evaluate(
        async ([a, b]) => {
          const grid = async (src: string): Promise<number[]> => {
            const img = new Image();
            img.src = src;
            await img.decode();
            const canvas = document.createElement('canvas');
            [canvas.width, canvas.height] = [64, 40];
            const g = canvas.getContext('2d')!;
            g.drawImage(img, 0, 0, 64, 40);
            return [...g.getImageData(0, 0, 64, 40).data].filter((_, i) => i % 4 === 0);
          };
          const [x, y] = [await grid(a), await grid(b)];
          return x.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0) / x.length;
        },
        [`data:image/jpeg;base64,${jpeg}`, reference] as const,
      );
    const deadline = Date.now() + 10_000;
    while ((frames.length === 0 || (await distanceToFinal(frames.at(-1)!.data)) > 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const elapsed = Date.now() - started;
    await cast.stop();

    expect(await distanceToFinal(frames.at(-1)!.data)).toBeLessThanOrEqual(2);
    expect(await distanceToFinal(frames[0]!.data)).toBeGreaterThan(2);
    expect(frames.length).toBeLessThanOrEqual(Math.floor(elapsed / 200) + 1);
    expect(maxInFlight).toBe(1);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames[0]).toMatchObject({ width: 640, height: 400 });
  });

  it('sends a still page once, and its next change', async () => {
    browser = await chromium.launch({ executablePath: findChromium() });
    const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
    await page.setContent('<h1 id="n" style="font-size:120px">still</h1>');
    const frames: ScreencastFrame[] = [];
    const cast = new PageScreencast(page, async (frame) => void frames.push(frame));
    await cast.start();
    await waitFor(() => frames.length > 0);
    // Long enough for several captures at any rate the cast may take.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(frames).toHaveLength(1);
    await page.evaluate(() => (document.getElementById('n')!.textContent = 'moved'));
    await waitFor(() => frames.length > 1);
    await cast.stop();
    expect(frames[1]!.data).not.toBe(frames[0]!.data);
  });

  it("never captures a job's new page that closes within its first frame interval", async () => {
    browser = await chromium.launch({ executablePath: findChromium() });
    const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
    const frames: ScreencastFrame[] = [];
    const cast = new PageScreencast(page, async (frame) => void frames.push(frame));
    await cast.start(true);
    await page.close();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await cast.stop();
    expect(frames).toEqual([]);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting for a frame');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
