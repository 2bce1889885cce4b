import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { openEditor, screenshot, showAll, socketPoint, startSession, type Session } from './harness.js';

/** What a ComfyUI user reaches for first: a readable canvas, tooltips, typed wires. */

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

async function fresh(viewport?: { width: number; height: number }): Promise<Page> {
  ({ context, page } = await openEditor(session, viewport));
  await page.waitForFunction((n) => Object.keys(window.__piagraph?.document().nodes ?? {}).length === n, Object.keys(example.nodes).length);
  return page;
}

/** The most common opaque colour on the pending-wire overlay, as #rrggbb. */
async function overlayColour(): Promise<string> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.pg-overlay')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const counts = new Map<string, number>();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! < 250) continue;
      const hex = `#${[data[i]!, data[i + 1]!, data[i + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      counts.set(hex, (counts.get(hex) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  });
}

describe('readable at first sight', () => {
  it('opens the example at a zoom where widget text is at least 11 px in a 1280x720 window, showing its start', async () => {
    await fresh({ width: 1280, height: 720 });
    await page.waitForSelector('[data-node-id="1"] [data-testid="control-ckpt_name"]');
    const sizes = await page.evaluate(() => {
      const zoom = window.__piagraph!.app.handle.camera().zoom;
      return [...document.querySelectorAll('.pg-widget input, .pg-widget select, .pg-widget textarea, .pg-widget-label')].map(
        (el) => parseFloat(getComputedStyle(el).fontSize) * zoom,
      );
    });
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
    // The sources (the loaders in the first column) are in view.
    const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    const loader = (await page.locator('[data-node-id="1"]').boundingBox())!;
    expect(loader.x).toBeGreaterThanOrEqual(canvas.x);
    expect(loader.y).toBeGreaterThanOrEqual(canvas.y);
    await screenshot(page, 'readable-open');
  });

  it("shows an input's tooltip from object_info when the pointer rests on it", async () => {
    await fresh();
    await showAll(page);
    const info = (await (await fetch(`${session.server.url}/object_info/PIACondition`)).json()) as Record<string, { input: { required: Record<string, [string, { tooltip?: string }]> } }>;
    const expected = info['PIACondition']!.input.required['long_edge']![1].tooltip!;
    const row = page.locator('[data-node-id="6"] [data-testid="input-long_edge"] .pg-widget-label');
    await row.hover();
    await page.waitForSelector('[data-testid="tooltip"]');
    expect(await page.locator('[data-testid="tooltip"]').textContent()).toBe(expected);
    await screenshot(page, 'input-tooltip');
    // Sockets name their type.
    const socket = page.locator('[data-node-id="6"] [data-testid="input-image"] [data-testid="input-socket"]');
    await socket.hover();
    await page.waitForFunction(() => document.querySelector('[data-testid="tooltip"]')?.textContent?.startsWith('IMAGE'));
  });

  it("draws the wire being dragged in its type's colour, marks the sockets that take it, and marks a refused target", async () => {
    await fresh();
    await showAll(page);
    // The checkpoint's CLIP output (output 1 of node 1).
    const from = await socketPoint(page, '1', 'output', '1');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + 40, { steps: 5 });
    const clipColour = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--color-datatype-CLIP').trim().toLowerCase());
    expect(await overlayColour()).toBe(clipColour);
    // Exactly the CLIP inputs in view (the two text encoders) are marked as taking it.
    const marked = await page.evaluate(() => [...document.querySelectorAll('.pg-socket.pg-compatible')].map((s) => `${s.closest('[data-node-id]')!.getAttribute('data-node-id')}:${s.getAttribute('data-key')}`).sort());
    expect(marked).toEqual(['2:clip', '3:clip']);
    // Over the sampler's MODEL input: refused, marked, and the wire turns red.
    const model = await socketPoint(page, '7', 'input', 'model');
    await page.mouse.move(model.x, model.y, { steps: 5 });
    await page.waitForSelector('[data-node-id="7"] [data-testid="input-model"] .pg-socket.pg-drop-refused');
    expect(await overlayColour()).toBe('#ff4d4d');
    await screenshot(page, 'pending-wire-refused');
    await page.mouse.up();
    expect(Object.keys((await page.evaluate(() => window.__piagraph!.document())).links)).toHaveLength(Object.keys(example.links).length);
  });
});

describe('palette', () => {
  it('places a clicked palette entry in free space in view, twice without overlap', async () => {
    await fresh();
    await showAll(page);
    await page.locator('.pg-palette-filter').fill('load image');
    const before = Object.keys((await page.evaluate(() => window.__piagraph!.document())).nodes);
    await page.locator('[data-testid="palette-LoadImage"]').click();
    await page.locator('[data-testid="palette-LoadImage"]').click();
    await page.waitForFunction((n) => Object.keys(window.__piagraph!.document().nodes).length === n, before.length + 2);
    const check = await page.evaluate((old) => {
      const c = window.__piagraph!.app.canvas;
      const rects = [...c.scene.rects()];
      const added = rects.filter(([id]) => !old.includes(id));
      const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      const view = c.viewRect();
      return {
        added: added.length,
        overlapping: added.some(([id, r]) => rects.some(([other, o]) => other !== id && overlaps(r, o))),
        inView: added.every(([, r]) => r.x >= view.x && r.y >= view.y && r.x + r.width <= view.x + view.width && r.y + r.height <= view.y + view.height),
      };
    }, before);
    expect(check).toEqual({ added: 2, overlapping: false, inView: true });
    await screenshot(page, 'palette-free-space');
  });
});

