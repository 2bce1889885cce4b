import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emptyCanvasPoint, openEditor, readDocument, screenshot, showAll, socketPoint, startSession, type Session } from './harness.js';

/** Node search: fuzzy and ranked, "no results", inside the window, and opened by a wire dropped on the canvas. */

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

/** The server's node classes (`/object_info`), read apart from the editor's own search code. */
async function objectInfo(): Promise<Record<string, { input: Record<string, Record<string, [unknown, ...unknown[]]> | undefined> }>> {
  return page.evaluate(async () => (await fetch('/object_info')).json());
}

/** The search box shows at most this many results (SearchBox). */
const RESULT_LIMIT = 40;

const results = () => page.locator('[data-testid="node-search-result"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-class-type')));

describe('node search', () => {
  it('finds nodes through a typo, ranks the named node first, and says when nothing matches', async () => {
    await fresh();
    const at = await emptyCanvasPoint(page);
    await page.mouse.dblclick(at.x, at.y);
    const input = page.locator('[data-testid="node-search-input"]');
    await input.fill('ddim smapler');
    expect((await results())[0]).toBe('PIADDIMSampler');
    await input.fill('ksampelr');
    expect((await results())[0]).toBe('KSampler');
    await input.fill('vae decode');
    expect((await results())[0]).toBe('VAEDecode');
    await input.fill('video combine');
    expect((await results())[0]).toBe('VHS_VideoCombine');
    await screenshot(page, 'search-ranked');
    await input.fill('qqqq');
    await page.waitForSelector('[data-testid="node-search-empty"]');
    expect(await page.locator('[data-testid="node-search-empty"]').textContent()).toContain('No nodes match');
    await screenshot(page, 'search-no-results');
    await page.keyboard.press('Escape');
  });

  it('stays inside the window when opened at its bottom-right corner', async () => {
    await fresh();
    const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    // Just above the minimap's corner is still canvas.
    const at = { x: canvas.x + canvas.width - 230, y: canvas.y + canvas.height - 150 };
    await page.evaluate(({ x, y }) => window.__piagraph!.app.ui.update({ search: { client: { x, y }, graph: { x: 0, y: 0 } } }), at);
    const box = (await page.locator('[data-testid="node-search"]').boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    const classes = Object.keys(await objectInfo()).length;
    expect(await results()).toHaveLength(Math.min(RESULT_LIMIT, classes));
  });

  it('opens filtered to the nodes that take a wire dropped on empty canvas, and connects the chosen one in one undo step', async () => {
    await fresh();
    const before = await readDocument(page);
    const from = await socketPoint(page, '8', 'output', '0');
    const to = await emptyCanvasPoint(page);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="node-search-filter"]');
    expect(await page.locator('[data-testid="node-search-filter"]').textContent()).toBe('Nodes that take IMAGE');
    // Every node that has an IMAGE input, and only those (as many as the list shows).
    const takesImage = Object.entries(await objectInfo())
      .filter(([, info]) => Object.values(info.input).some((group) => Object.values(group ?? {}).some((spec) => spec[0] === 'IMAGE')))
      .map(([name]) => name);
    expect(takesImage).toEqual(expect.arrayContaining(['PIAAnimate', 'PIACondition', 'PIASaveVideo', 'VHS_VideoCombine', 'VAEEncode']));
    const shown = await results();
    expect(shown).toHaveLength(Math.min(RESULT_LIMIT, takesImage.length));
    expect(takesImage).toEqual(expect.arrayContaining(shown));
    await screenshot(page, 'search-wire-drop');
    await page.locator('[data-testid="node-search-input"]').fill('save video');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => Object.keys(window.__piagraph!.document().nodes).length === n, Object.keys(before.nodes).length + 1);
    const after = await readDocument(page);
    const added = Object.values(after.nodes).find((n) => !before.nodes[n.id])!;
    expect(added.classType).toBe('PIASaveVideo');
    expect(Object.values(after.links).some((l) => l.source.node === '8' && l.target.node === added.id && l.target.input === 'images')).toBe(true);
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => Object.keys(window.__piagraph!.document().nodes).length === n, Object.keys(before.nodes).length);
    expect(await readDocument(page)).toEqual(before);
  });
});
