import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emptyCanvasPoint, openEditor, screenshot, showAll, startSession, type Session } from './harness.js';

/** The settings dialog: minimap, link style, zoom speed, kept across reloads. */

let session: Session;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  session = await startSession();
});
afterAll(async () => {
  await session?.close();
});
afterEach(async () => {
  await context?.close();
});

/** The zoom factor one wheel notch of `delta` pixels gives at a zoom speed (the wheel handler's rule, by hand). */
const expectedFactor = (delta: number, speed: number) => Math.exp(-delta * 0.0015 * speed);

async function wheelZoomFactor(): Promise<number> {
  const at = await emptyCanvasPoint(page);
  const before = await page.evaluate(() => window.__piagraph!.app.handle.camera().zoom);
  await page.mouse.move(at.x, at.y);
  await page.mouse.wheel(0, 100);
  await page.waitForFunction((k) => window.__piagraph!.app.handle.camera().zoom !== k, before);
  return (await page.evaluate(() => window.__piagraph!.app.handle.camera().zoom)) / before;
}

describe('settings', () => {
  it('turns the minimap off, draws straight links, zooms faster, and keeps all three after a reload', async () => {
    ({ context, page } = await openEditor(session));
    await page.waitForFunction(() => Object.keys(window.__piagraph?.document().nodes ?? {}).length === 9);
    await showAll(page);
    expect(await wheelZoomFactor()).toBeCloseTo(expectedFactor(100, 1), 6);

    await page.locator('[data-testid="canvas"]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+,');
    await page.waitForSelector('[data-testid="settings"]');
    await page.locator('[data-testid="setting-minimap"]').uncheck();
    await page.locator('[data-testid="setting-link-style"]').selectOption('straight');
    await page.locator('[data-testid="setting-zoom-speed"]').evaluate((el: HTMLInputElement) => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, '2');
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await screenshot(page, 'settings');
    await page.locator('[data-testid="settings-close"]').click();

    const check = async () => {
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.pg-minimap')?.hidden === true);
      // Straight links are polylines: move and line commands only, no curves.
      await page.waitForFunction(() => {
        const paths = [...document.querySelectorAll('.pg-wire path')].map((p) => p.getAttribute('d') ?? '');
        return paths.length > 0 && paths.every((d) => d.startsWith('M') && !d.includes('C'));
      });
      expect(await wheelZoomFactor()).toBeCloseTo(expectedFactor(100, 2), 6);
    };
    await check();
    await screenshot(page, 'settings-applied');

    await page.reload();
    await page.waitForFunction(() => window.__piagraph?.app.ui.state.ready === true);
    await showAll(page);
    await check();
  });
});
