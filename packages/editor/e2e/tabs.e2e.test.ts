import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { emptyCanvasPoint, openEditor, openFile, readDocument, screenshot, showAll, startSession, waitForNodeCount, type Session } from './harness.js';

/**
 * Tabs: several graphs open at once, each with its own graph, undo history, camera, selection and run results;
 * closing asks about unsaved changes; the open tabs come back after a reload.
 */

const EXAMPLE_PATH = fileURLToPath(new URL('../../../examples/pia-image-to-video.json', import.meta.url));
const LOAD_IMAGE = '4';
const SAMPLER = '7';
const SAVE = '9';

let example: GraphDocument;
let session: Session;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  example = JSON.parse(await readFile(EXAMPLE_PATH, 'utf8')) as GraphDocument;
  session = await startSession();
});
afterAll(async () => {
  await session?.close();
});
afterEach(async () => {
  await context?.close();
});

const exampleNodes = () => Object.keys(example.nodes).length;

async function fresh(): Promise<Page> {
  ({ context, page } = await openEditor(session));
  await showAll(page);
  await waitForNodeCount(page, exampleNodes());
  return page;
}

function otherGraph(title: string): GraphDocument {
  const doc = structuredClone(example);
  doc.metadata.title = title;
  delete doc.view;
  return doc;
}

/** Waits until the shown tab's graph holds `n` nodes (whether or not their cards are in view). */
const graphNodes = (n: number) => page.waitForFunction((count) => Object.keys(window.__piagraph!.document().nodes).length === count, n);
const tabs = () => page.locator('[data-testid="tab"]');
const tabLabels = () => page.locator('[data-testid="tab-label"]').allTextContents();
const activeIndex = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="tab"]')].findIndex((t) => t.getAttribute('data-active') === 'true'));
const camera = () => page.evaluate(() => window.__piagraph!.app.handle.camera());
const selected = () => page.evaluate(() => window.__piagraph!.app.handle.selectedIds());
const undoEnabled = () => page.locator('[data-testid="undo"]').isEnabled();
const steps = () => readDocument(page).then((d) => d.nodes[SAMPLER]?.values.steps);

async function setSteps(value: number): Promise<void> {
  const input = page.locator(`[data-node-id="${SAMPLER}"] [data-testid="control-steps"] input`);
  await input.fill(String(value));
  await input.press('Enter');
  await page.waitForFunction(([id, v]) => window.__piagraph!.document().nodes[id!]?.values.steps === v, [SAMPLER, value] as const);
}

/** Zooms with one wheel notch over empty canvas, so the camera differs from where the graph opened. */
async function wheelZoom(delta: number): Promise<void> {
  const at = await emptyCanvasPoint(page);
  const before = (await camera()).zoom;
  await page.mouse.move(at.x, at.y);
  await page.mouse.wheel(0, delta);
  await page.waitForFunction((k) => window.__piagraph!.app.handle.camera().zoom !== k, before);
}

async function showTab(index: number): Promise<void> {
  await tabs().nth(index).locator('[data-testid="tab-label"]').click();
  await page.waitForFunction((i) => document.querySelectorAll('[data-testid="tab"]')[i]?.getAttribute('data-active') === 'true', index);
  await page.evaluate(() => window.__piagraph!.rendered());
}

describe('tabs', () => {
  it('keeps each tab its own graph, undo history, camera and selection, and asks before closing one with unsaved changes', async () => {
    await fresh();
    // Tab 1: the example, edited, zoomed and with the sampler selected.
    await setSteps(12);
    await wheelZoom(200);
    await page.locator(`[data-node-id="${SAMPLER}"] [data-testid="title"]`).click();
    await page.waitForFunction((id) => window.__piagraph!.app.handle.selectedIds().join() === id, SAMPLER);
    const cameraA = await camera();
    await expect(page.locator('[data-testid="tab-dirty"]').count()).resolves.toBe(1);

    // + opens an empty tab, shown, with nothing to undo.
    await page.locator('[data-testid="tab-new"]').click();
    await expect.poll(() => tabs().count()).toBe(2);
    expect(await activeIndex()).toBe(1);
    await waitForNodeCount(page, 0);
    expect(await undoEnabled()).toBe(false);
    expect(await selected()).toEqual([]);

    // A graph opened into the untouched empty tab takes it over instead of opening a third.
    await openFile(page, 'b.json', otherGraph('Graph B'));
    await graphNodes(exampleNodes());
    await showAll(page);
    expect(await tabLabels()).toEqual(['PIA: image to video', 'Graph B']);
    expect(await steps()).toBe(example.nodes[SAMPLER]!.values.steps);
    await page.locator(`[data-node-id="${LOAD_IMAGE}"] [data-testid="title"]`).click();
    await page.keyboard.press('Delete');
    await graphNodes(exampleNodes() - 1);
    await screenshot(page, 'tabs-two-graphs');

    // Back on tab 1: its graph, camera and selection as they were, and its own undo history.
    await showTab(0);
    await graphNodes(exampleNodes());
    expect(await steps()).toBe(12);
    expect(await camera()).toEqual(cameraA);
    expect(await selected()).toEqual([SAMPLER]);
    await page.keyboard.press('Control+z');
    await page.waitForFunction((id) => window.__piagraph!.document().nodes[id]!.values.steps === 10, SAMPLER);
    // Tab 1's undo took back its own edit, not the deletion in tab 2, and it is clean again.
    await expect(page.locator('[data-testid="tab"]').nth(0).locator('[data-testid="tab-dirty"]').count()).resolves.toBe(0);
    expect(await undoEnabled()).toBe(false);
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction((id) => window.__piagraph!.document().nodes[id]!.values.steps === 12, SAMPLER);

    // Tab 2 still lacks the deleted node, and its undo brings it back.
    await showTab(1);
    await graphNodes(exampleNodes() - 1);
    expect(await selected()).toEqual([]);
    await page.locator('[data-testid="undo"]').click();
    await graphNodes(exampleNodes());

    // Closing tab 1 (unsaved) asks; Cancel keeps it, confirming closes it.
    const dialog = page.locator('[data-testid="confirm-dialog"]');
    await tabs().nth(0).locator('[data-testid="tab-close"]').click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('"PIA: image to video" has unsaved changes');
    await screenshot(page, 'tabs-close-asks');
    await page.locator('[data-testid="confirm-cancel"]').click();
    await expect.poll(() => tabs().count()).toBe(2);
    await tabs().nth(0).locator('[data-testid="tab-close"]').click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await expect.poll(() => tabLabels()).toEqual(['Graph B']);

    // Tab 2 is back as opened (its edit undone): it closes without a question, leaving an empty tab.
    await tabs().nth(0).locator('[data-testid="tab-close"]').click();
    await expect.poll(() => tabLabels()).toEqual(['Untitled']);
    await expect(dialog.count()).resolves.toBe(0);
    await waitForNodeCount(page, 0);
  });

  it("shows a job's results on the tab that queued it only, also when it finishes while another tab is shown", async () => {
    await fresh();
    const post = (path: string) => page.evaluate((p) => fetch(p, { method: 'POST', body: '{}' }).then((r) => r.status), path);
    await post('/api/queue/pause');
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction(() => window.__piagraph!.app.ui.state.queue.pending.length === 1);
    const promptId = await page.evaluate(() => window.__piagraph!.app.ui.state.queue.pending[0]!.promptId);

    // The same graph (same node ids) in a second tab, shown while the job runs.
    await page.locator('[data-testid="tab-new"]').click();
    await openFile(page, 'b.json', otherGraph('Graph B'));
    await graphNodes(exampleNodes());
    await showAll(page);
    await post('/api/queue/resume');
    await page.waitForFunction(
      (id) => fetch(`/history/${id}`).then((r) => r.json()).then((h: Record<string, { status?: { completed?: boolean } }>) => h[id]?.status?.completed === true),
      promptId,
      { timeout: 120_000, polling: 250 },
    );
    // The queue's last status follows the job's end; then nothing of the job is on this tab.
    await expect.poll(() => page.locator('[data-testid="status"]').textContent(), { timeout: 30_000 }).toBe('Idle');
    await page.waitForTimeout(300);
    await expect(page.locator('[data-testid="output-image"], [data-testid="output-video"], .pg-badge').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="node"]:not([data-phase="idle"])').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="status"]').textContent()).resolves.toBe('Idle');
    await screenshot(page, 'tabs-results-stay-off-other-tab');

    // Its own tab shows them when it comes back.
    await showTab(0);
    await page.waitForSelector(`[data-node-id="${SAVE}"] [data-testid="output-image"]`);
    await expect(page.locator(`[data-node-id="${SAVE}"]`).getAttribute('data-phase')).resolves.toMatch(/done|cached/);
    expect(await page.locator('.pg-badge').count()).toBeGreaterThan(0);
    await screenshot(page, 'tabs-results-on-own-tab');
  }, 300_000);

  it('brings every open tab back after a reload: graphs, unsaved marks, order, the shown tab and its camera', async () => {
    await fresh();
    await setSteps(14);
    await page.locator('[data-testid="tab-new"]').click();
    await openFile(page, 'b.json', otherGraph('Graph B'));
    await graphNodes(exampleNodes());
    await showAll(page);
    await page.locator('[data-testid="tab-new"]').click();
    await waitForNodeCount(page, 0);
    // Back to B, zoomed in: B is the tab shown at the reload.
    await showTab(1);
    await wheelZoom(-300);
    const cameraB = await camera();
    const labels = await tabLabels();
    expect(labels).toEqual(['PIA: image to video', 'Graph B', 'Untitled']);
    await page.waitForTimeout(400);

    await page.reload();
    await page.waitForFunction(() => window.__piagraph?.app.ui.state.ready === true);
    expect(await tabLabels()).toEqual(labels);
    expect(await activeIndex()).toBe(1);
    await graphNodes(exampleNodes());
    expect((await readDocument(page)).metadata.title).toBe('Graph B');
    expect(await camera()).toEqual(cameraB);
    // Only the edited tab is marked unsaved.
    expect(await page.locator('[data-testid="tab"]').evaluateAll((els) => els.map((e) => e.querySelector('[data-testid="tab-dirty"]') !== null))).toEqual([true, false, false]);
    await screenshot(page, 'tabs-after-reload');
    await showTab(0);
    expect(await steps()).toBe(14);
    await showTab(2);
    await waitForNodeCount(page, 0);
  });
});
