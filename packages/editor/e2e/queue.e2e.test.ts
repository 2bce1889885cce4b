import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openEditor, readDocument, screenshot, showAll, startSession, type Session } from './harness.js';

/** The queue and history panel: batch count, queue to front, thumbnails, status, time, re-opening a run, gallery. */

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

async function fresh(): Promise<Page> {
  ({ context, page } = await openEditor(session));
  await page.waitForFunction(() => Object.keys(window.__piagraph?.document().nodes ?? {}).length === 9);
  await showAll(page);
  return page;
}

const post = (path: string, body: unknown) => page.evaluate(([p, b]) => fetch(p as string, { method: 'POST', body: JSON.stringify(b) }).then((r) => r.status), [path, body] as const);

describe('queue and history', () => {
  it('queues a batch of two, lists both runs with thumbnail, status and time, re-opens the first run’s graph, and shows the outputs in the gallery', async () => {
    await fresh();
    await page.locator('[data-node-id="7"] [data-testid="control-seed"] select').selectOption('increment');
    await page.locator('[data-testid="batch-count"]').fill('2');
    await page.locator('[data-testid="queue-button"]').click();
    // Seeds advanced once per queued prompt: 42 → 43 → 44.
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.values.seed === 44);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"][data-status="completed"]').length === 2, undefined, { timeout: 240_000 });
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid="history-thumb"]')].every((img) => img.complete && img.naturalWidth > 0),
    );
    const times = await page.locator('[data-testid="history-time"]').allTextContents();
    expect(times).toHaveLength(2);
    for (const t of times) expect(t).toMatch(/^ · \d+\.\d s$/);
    await screenshot(page, 'history');

    // The older run (listed last) ran with seed 43: its graph comes back with it.
    await page.locator('[data-testid="history-open"]').last().click();
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.values.seed === 43);
    expect((await readDocument(page)).metadata.title).toBe('PIA: image to video');

    await page.locator('[data-testid="gallery-tab"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-item"]').length >= 2);
    await page.locator('[data-testid="gallery-item"]').first().click();
    await page.waitForSelector('[data-testid="gallery-viewer"]');
    await screenshot(page, 'gallery');
  }, 300_000);

  it('puts a prompt queued with Ctrl+Shift+Enter at the front of the queue', async () => {
    await fresh();
    await post('/api/queue/pause', {});
    await page.locator('[data-node-id="7"] [data-testid="control-seed"] select').selectOption('increment');
    await page.locator('[data-testid="queue-button"]').click();
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="queue-pending"]').length === 2);
    await page.locator('[data-testid="canvas"]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Shift+Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="queue-pending"]').length === 3);
    const newest = await page.evaluate(() => window.__piagraph!.app.runs.state.owned.at(-1));
    expect(await page.locator('[data-testid="queue-pending"]').first().getAttribute('data-prompt-id')).toBe(newest);
    await screenshot(page, 'queue-front');
    await post('/queue', { clear: true });
    await post('/api/queue/resume', {});
  });
});
