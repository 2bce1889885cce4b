import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { emptyCanvasPoint, openEditor, readDocument, screenshot, startSession, waitForNodeCount, type Session } from './harness.js';

/** The canvas itself: pans that never select text or start a drag-and-drop, and the zoomed-out overview. */

const EXAMPLE_PATH = fileURLToPath(new URL('../../../examples/pia-image-to-video.json', import.meta.url));

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

async function fresh(): Promise<Page> {
  ({ context, page } = await openEditor(session));
  await page.evaluate(() => window.__piagraph!.app.handle.zoomToFit());
  await waitForNodeCount(page, Object.keys(example.nodes).length);
  return page;
}

const camera = () => page.evaluate(() => window.__piagraph!.app.handle.camera());

describe('canvas', () => {
  it('pans across nodes without selecting their text or starting a drag-and-drop, twice in a row', async () => {
    await fresh();
    await page.evaluate(() => {
      (window as unknown as { dragStarts: number }).dragStarts = 0;
      document.addEventListener('dragstart', () => (window as unknown as { dragStarts: number }).dragStarts++, true);
    });
    const start = await emptyCanvasPoint(page);
    // A long diagonal drag that sweeps over several cards, then one back from where it ended (the same empty graph
    // point is under the pointer there, and the old bug's text selection would have been).
    for (const [from, d] of [[start, { x: 300, y: 200 }], [{ x: start.x + 300, y: start.y + 200 }, { x: -300, y: -200 }]] as const) {
      const before = await camera();
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + d.x, from.y + d.y, { steps: 15 });
      await page.mouse.up();
      const after = await camera();
      expect([after.x - before.x, after.y - before.y]).toEqual([d.x, d.y]);
      expect(await page.evaluate(() => document.getSelection()?.toString() ?? '')).toBe('');
    }
    // A press on a card's text (a port title) drags the node, again without selecting anything.
    const title = page.locator('[data-node-id="7"] [data-testid="output-title"]');
    const box = (await title.boundingBox())!;
    const x0 = (await readDocument(page)).nodes['7']!.position.x;
    await page.mouse.move(box.x + 5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 85, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((x) => window.__piagraph!.document().nodes['7']!.position.x !== x, x0);
    expect(await page.evaluate(() => document.getSelection()?.toString() ?? '')).toBe('');
    expect(await page.evaluate(() => (window as unknown as { dragStarts: number }).dragStarts)).toBe(0);
    await screenshot(page, 'canvas-pan-no-selection');
  });

  it('draws the zoomed-out overview on the canvas, where nodes still move and wires still connect', async () => {
    await fresh();
    await page.evaluate(() => window.__piagraph!.app.handle.setCamera({ x: 100, y: 150, zoom: 0.3 }));
    await page.waitForFunction(() => document.querySelector('[data-testid="canvas"]')!.classList.contains('pg-overview'));
    await expect(page.locator('[data-testid="node"]').count()).resolves.toBe(0);
    await page.waitForFunction((n) => window.__piagraph!.app.canvas.wiresDrawn === n, Object.keys(example.links).length);
    await screenshot(page, 'canvas-overview');

    // Drag the sampler (node 7 at graph 840,120) by its title bar: 100 screen px at zoom 0.3.
    const canvasBox = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    const at = { x: canvasBox.x + 100 + (840 + 60) * 0.3, y: canvasBox.y + 150 + (120 + 15) * 0.3 };
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 100, at.y, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.position.x !== 840);
    expect((await readDocument(page)).nodes['7']!.position.x).toBeCloseTo(840 + 100 / 0.3, 6);

    // Wire VAE Decode's IMAGE output (node 8) into nothing new: drop its output on Save Video's body instead of
    // aiming at the socket, after taking Save Video's input away.
    await page.evaluate(() => window.__piagraph!.app.disconnect('12'));
    const layoutOut = await page.evaluate(() => {
      const s = window.__piagraph!.app.canvas.scene;
      return { out: s.socket('8', 'output', 0)!, save: s.rect('9')! };
    });
    const screen = (p: { x: number; y: number }) => ({ x: canvasBox.x + 100 + p.x * 0.3, y: canvasBox.y + 150 + p.y * 0.3 });
    const from = screen(layoutOut.out);
    const to = screen({ x: layoutOut.save.x + layoutOut.save.width / 2, y: layoutOut.save.y + 100 });
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => Object.values(window.__piagraph!.document().links).some((l) => l.source.node === '8' && l.target.node === '9' && l.target.input === 'images'));
  });
});
