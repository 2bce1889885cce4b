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

/** How many results the search box lists at most. */
const LISTED = 40;

/** The server's node classes that have an input a wire of `type` can feed (from its object_info, not the editor's). */
async function classesTaking(type: string): Promise<string[]> {
  const info = (await (await fetch(`${session.server.url}/object_info`)).json()) as Record<string, { input?: Record<string, Record<string, unknown[]>> }>;
  return Object.entries(info)
    .filter(([, def]) =>
      Object.values(def.input ?? {}).some((group) =>
        Object.values(group ?? {}).some((spec) => typeof spec[0] === 'string' && spec[0].split(',').some((t) => t.trim() === type || t.trim() === '*')),
      ),
    )
    .map(([name]) => name)
    .sort();
}

const results = () => page.locator('[data-testid="node-search-result"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-class-type') ?? ''));

describe('node search', () => {
  it('finds nodes through a typo, ranks the named node first, and says when nothing matches', async () => {
    await fresh();
    const at = await emptyCanvasPoint(page);
    await page.mouse.dblclick(at.x, at.y);
    const input = page.locator('[data-testid="node-search-input"]');
    // Two typos away from "sampler": the samplers come first (the shorter name first), PIA's among them.
    await input.fill('smapler');
    const samplers = await page.locator('[data-testid="node-search-result"]').evaluateAll((els) => els.slice(0, 3).map((e) => e.textContent ?? ''));
    expect(samplers.every((text) => /sampler/i.test(text))).toBe(true);
    expect((await results()).slice(0, 3)).toContain('PIADDIMSampler');
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
    const total = Object.keys((await (await fetch(`${session.server.url}/object_info`)).json()) as object).length;
    expect(await results()).toHaveLength(Math.min(LISTED, total));
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
    // Nodes that have an input an IMAGE wire can feed, and only those (as many as the box lists).
    const taking = await classesTaking('IMAGE');
    const listed = (await results()).sort();
    expect(listed).toHaveLength(Math.min(LISTED, taking.length));
    expect(listed.filter((c) => !taking.includes(c))).toEqual([]);
    expect(listed).toContain('PIASaveVideo');
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
