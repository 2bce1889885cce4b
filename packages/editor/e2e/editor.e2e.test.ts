import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { dragWire, emptyCanvasPoint, openEditor, readDocument, screenshot, socketSelector, startSession, type Session } from './harness.js';

/** The graph the editor opens on first start; it runs on the PIA pack's demo model. */
const EXAMPLE_PATH = fileURLToPath(new URL('../../../examples/pia-image-to-video.json', import.meta.url));
/** In the example: the sampler that reports progress and previews, the decoder and the Save Video node. */
const SAMPLER = '7';
const DECODE = '8';
const SAVE = '9';
/** The example's link from VAE Decode into Save Video. */
const DECODE_TO_SAVE = '12';

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

const nodeCount = (n: number) => page.waitForFunction((count) => document.querySelectorAll('[data-testid="node"]').length === count, n);
/** Waits until the document holds `n` links and the canvas has drawn them all (every wire is in view here). */
const wireCount = (n: number) =>
  page.waitForFunction((count) => Object.keys(window.__piagraph!.document().links).length === count && window.__piagraph!.app.canvas.wiresDrawn === count, n);

/** A fresh browser profile, so the editor opens on the example as it does for a first-time user. */
async function fresh(): Promise<Page> {
  ({ context, page } = await openEditor(session));
  // It opens at a readable zoom showing the graph's start; these tests want every node in view.
  await page.waitForFunction((n) => Object.keys(window.__piagraph?.document().nodes ?? {}).length === n, Object.keys(example.nodes).length);
  await page.evaluate(() => window.__piagraph!.app.handle.zoomToFit());
  await nodeCount(Object.keys(example.nodes).length);
  await wireCount(Object.keys(example.links).length);
  return page;
}

/**
 * Frames the whole graph with the Fit button and waits until every node lies inside the canvas. The example has
 * no saved camera, so the editor may already have framed it on open and Fit then leaves the view as it is.
 */
async function fit(): Promise<void> {
  await page.locator('[data-testid="fit"]').click();
  // Fit waits a frame for layout before zooming.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.waitForFunction(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="node"]')].every((node) => {
      const r = node.getBoundingClientRect();
      return r.left >= canvas.left && r.right <= canvas.right && r.top >= canvas.top && r.bottom <= canvas.bottom;
    });
  });
}

/** Removes a link through the editor's own edit, as the context of a test that needs it gone. */
async function disconnect(linkId: string): Promise<void> {
  await page.evaluate((id) => window.__piagraph!.app.disconnect(id), linkId);
  await wireCount(Object.keys(example.links).length - 1);
}

const linkKeys = (doc: GraphDocument) =>
  Object.values(doc.links)
    .map((l) => `${l.source.node}:${l.source.output}->${l.target.node}:${l.target.input}`)
    .sort();

const withoutView = ({ view: _view, ...doc }: GraphDocument) => doc;

describe('editor in Chromium against the real server with the PIA nodes', () => {
  it('opens on the PIA example graph with the node palette from object_info', async () => {
    await fresh();
    await expect(page.locator('[data-testid="palette-PIADDIMSampler"]').count()).resolves.toBe(1);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'Idle');
    expect(withoutView(await readDocument(page))).toEqual(withoutView(example));
    await screenshot(page, 'load');
  });

  it("shows Load Image's demo picture as its thumbnail on first open, before anything has run", async () => {
    await fresh();
    const thumbnail = `[data-node-type="LoadImage"] [data-testid="thumbnail"]`;
    await page.waitForFunction((sel) => {
      const img = document.querySelector<HTMLImageElement>(sel);
      return Boolean(img?.complete && img.naturalWidth > 0);
    }, thumbnail);
    // The pack's demo picture is 96×64.
    expect(await page.locator(thumbnail).evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([96, 64]);
    expect(await page.locator(thumbnail).getAttribute('src')).toBe('/view?filename=piagraph-demo.png&type=input&subfolder=');
  });

  it('still shows the widgets after Fit frames the example', async () => {
    await fresh();
    await fit();
    const zoom = await page.evaluate(() => window.__piagraph!.app.handle!.camera().zoom);
    // Fit zooms out from the example's own camera (0.8); the widgets must survive it.
    expect(zoom).toBeLessThan(0.8);
    await expect(page.locator('[data-testid="canvas"]').evaluate((el) => el.classList.contains('pg-overview'))).resolves.toBe(false);
    await expect(page.locator(`[data-node-id="${SAMPLER}"] [data-testid="control-steps"] input`).isVisible()).resolves.toBe(true);
    await screenshot(page, 'fit');
  });

  it('adds a node from the double-click search box', async () => {
    await fresh();
    await page.evaluate(() => window.__piagraph!.app.newGraph());
    await page.waitForSelector('[data-testid="empty-hint"]');
    const at = await emptyCanvasPoint(page);
    await page.mouse.dblclick(at.x, at.y);
    await page.locator('[data-testid="node-search-input"]').fill('ddim');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="node"][data-node-type="PIADDIMSampler"]');
    const doc = await readDocument(page);
    expect(Object.values(doc.nodes).map((n) => n.classType)).toEqual(['PIADDIMSampler']);
    expect(Object.values(doc.nodes)[0]!.values).toMatchObject({ steps: 25, cfg: 7.5, eta: 0 });
    await screenshot(page, 'search-add');
  });

  it('connects two nodes by dragging a wire, and undoes and redoes it from the keyboard', async () => {
    await fresh();
    await fit();
    await disconnect(DECODE_TO_SAVE);
    await dragWire(page, socketSelector(DECODE, 'output', '0'), socketSelector(SAVE, 'input', 'images'));
    await wireCount(Object.keys(example.links).length);
    expect(linkKeys(await readDocument(page))).toEqual(linkKeys(example));
    await screenshot(page, 'connect');
    await page.keyboard.press('Control+z');
    await wireCount(Object.keys(example.links).length - 1);
    expect(linkKeys(await readDocument(page))).not.toContain(`${DECODE}:0->${SAVE}:images`);
    await page.keyboard.press('Control+Shift+z');
    await wireCount(Object.keys(example.links).length);
  });

  it('refuses a wire between incompatible sockets', async () => {
    await fresh();
    await fit();
    // The checkpoint loader's MODEL output into Save Video's INT `frame_rate` input.
    await dragWire(page, socketSelector('1', 'output', '0'), socketSelector(SAVE, 'input', 'frame_rate'));
    // The refused wire is dropped from the cursor once the gesture ends, leaving the example's wires.
    await wireCount(Object.keys(example.links).length);
    expect(linkKeys(await readDocument(page))).toEqual(linkKeys(example));
    await expect(page.evaluate(() => window.__piagraph!.app.canvas.wiresDrawn)).resolves.toBe(Object.keys(example.links).length);
    await screenshot(page, 'refuse');
  });

  it(
    'queues the example on the demo model, shows progress on the sampler and the animation in Save Video with a working download',
    async () => {
      await fresh();
      // Progress and previews can come and go between two polls on a fast run: record every state the sampler shows.
      await page.evaluate((id) => {
        const seen = { running: false, progress: [] as number[], previews: 0 };
        (window as unknown as { samplerSeen: typeof seen }).samplerSeen = seen;
        const look = () => {
          const node = document.querySelector(`[data-node-id="${id}"]`);
          if (node?.getAttribute('data-phase') === 'running') seen.running = true;
          const bar = node?.querySelector('[data-testid="progress"]');
          const value = Number(bar?.getAttribute('aria-valuenow'));
          if (bar && value !== seen.progress[seen.progress.length - 1]) seen.progress.push(value);
          if (node?.querySelector('[data-testid="preview"][src^="blob:"]')) seen.previews++;
        };
        new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
      }, SAMPLER);
      await page.locator('[data-testid="queue-button"]').click();
      await fit();

      // The first run writes the demo model into the server's data folder: minutes on a loaded machine at worst.
      const image = `[data-node-id="${SAVE}"] [data-testid="output-image"]`;
      await page.waitForSelector(image, { timeout: 240_000 });
      await page.waitForFunction((sel) => {
        const img = document.querySelector<HTMLImageElement>(sel);
        return Boolean(img?.complete && img.naturalWidth > 0);
      }, image, { timeout: 30_000 });
      const seen = await page.evaluate(() => (window as unknown as { samplerSeen: { running: boolean; progress: number[]; previews: number } }).samplerSeen);
      expect(seen.running).toBe(true);
      expect(seen.progress.length + seen.previews).toBeGreaterThan(0);
      expect(seen.progress.every((v, i) => i === 0 || v > seen.progress[i - 1]!)).toBe(true);
      await expect(page.locator(`[data-node-id="${SAMPLER}"]`).getAttribute('data-phase')).resolves.toBe('done');

      const link = page.locator(`[data-node-id="${SAVE}"] [data-testid="output-download"]`);
      const href = (await link.getAttribute('href'))!;
      expect(href).toMatch(/^\/view\?filename=piagraph_[^&]*\.gif&/);
      expect(await link.getAttribute('download')).toMatch(/^piagraph_.*\.gif$/);
      const response = await page.request.get(new URL(href, session.server.url).href);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('image/gif');
      const body = await response.body();
      expect(body.length).toBeGreaterThan(100);
      expect(body.subarray(0, 6).toString('latin1')).toMatch(/^GIF8[79]a$/);
      // Both seeds are 'fixed' in the example, so queueing left them as they were.
      const doc = await readDocument(page);
      expect([doc.nodes['6']!.values.seed, doc.nodes[SAMPLER]!.values.seed]).toEqual([42, 42]);
      await screenshot(page, 'queue-done');
    },
    300_000,
  );

  it('shows a validation error from the server on the offending node and input', async () => {
    await fresh();
    await fit();
    await disconnect(DECODE_TO_SAVE);
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForSelector(`[data-node-id="${SAVE}"] [data-testid="input-images"] [data-testid="input-error"]`);
    await expect(page.locator(`[data-node-id="${SAVE}"]`).getAttribute('data-phase')).resolves.toBe('error');
    await screenshot(page, 'validation-error');
  });

  it('saves the graph to a file, restores it after a reload, and opens the saved file again', async () => {
    await fresh();
    const download = page.waitForEvent('download');
    await page.locator('[data-testid="save"]').click();
    const saved = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as GraphDocument;
    expect(withoutView(saved)).toEqual(withoutView(example));

    // Autosave writes shortly after the last change; the reload must find it.
    await page.waitForFunction(() => localStorage.getItem(`piagraph.tab.v1.${window.__piagraph!.app.tabs.list.active}`) !== null);
    await page.reload();
    await page.waitForFunction(() => window.__piagraph?.app.ui.state.ready === true);
    expect(withoutView(await readDocument(page))).toEqual(withoutView(example));

    await page.evaluate(() => window.__piagraph!.app.newGraph());
    await nodeCount(0);
    await page.locator('[data-testid="open-input"]').setInputFiles({ name: 'graph.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(saved)) });
    await nodeCount(Object.keys(example.nodes).length);
    expect(await readDocument(page)).toEqual(saved);
    await screenshot(page, 'save-reload');
  });

  it('box-selects nodes with Ctrl+drag and Shift+drag on empty canvas at Fit zoom, and Delete removes just those', async () => {
    await fresh();
    await fit();
    const camera = await page.evaluate(() => window.__piagraph!.app.handle!.camera());
    expect(camera.zoom).not.toBe(1);
    const box = async (id: string) => (await page.locator(`[data-node-id="${id}"]`).boundingBox())!;
    const onNode = (x: number, y: number) => page.evaluate(([px, py]) => Boolean(document.elementFromPoint(px!, py!)?.closest('.pg-node')), [x, y]);
    /** Drags with `key` held from a point on empty canvas to `to`, as a user draws a rectangle. */
    const drawBox = async (key: string, from: { x: number; y: number }, to: { x: number; y: number }, shot?: string) => {
      await expect(onNode(from.x, from.y)).resolves.toBe(false);
      await page.keyboard.down(key);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 10 });
      await expect(page.locator('[data-testid="box-select"]').isVisible()).resolves.toBe(true);
      if (shot) await screenshot(page, shot);
      await page.mouse.up();
      await page.keyboard.up(key);
      await page.waitForSelector('[data-testid="box-select"]', { state: 'detached' });
    };
    const selected = () => page.evaluate(() => window.__piagraph!.app.handle!.selectedIds().sort());

    // The two text encoders sit in a column right of the loaders: from above-left of the first to inside the second.
    const [top, below] = [await box('2'), await box('3')];
    await drawBox('Control', { x: top.x - 15, y: top.y - 15 }, { x: below.x + below.width / 2, y: below.y + below.height / 2 }, 'box-select-drawing');
    await page.waitForFunction(() => window.__piagraph!.app.handle!.selectedIds().length === 2);
    expect(await selected()).toEqual(['2', '3']);
    // The gesture drew a box instead of panning.
    expect(await page.evaluate(() => window.__piagraph!.app.handle!.camera())).toEqual(camera);

    // Shift+drag over the condition node below them adds it to the selection.
    const cond = await box('6');
    await drawBox('Shift', { x: cond.x - 15, y: cond.y + 20 }, { x: cond.x + 30, y: cond.y + 40 });
    await page.waitForFunction(() => window.__piagraph!.app.handle!.selectedIds().length === 3);
    expect(await selected()).toEqual(['2', '3', '6']);

    await page.keyboard.press('Delete');
    await nodeCount(Object.keys(example.nodes).length - 3);
    const left = Object.keys((await readDocument(page)).nodes).sort();
    expect(left).toEqual(Object.keys(example.nodes).filter((id) => !['2', '3', '6'].includes(id)).sort());
    // The minimap redraws after the removal (its redraws are throttled, so wait for it rather than read it at once).
    await page.waitForFunction((count) => document.querySelector<HTMLElement>('[data-testid="minimap"]')?.dataset.nodes === String(count), left.length, { timeout: 2_000 });
    await screenshot(page, 'box-select-delete');
  });

  it('drags every selected node with a plain drag on one of them, as one undo step', async () => {
    await fresh();
    const title = (id: string) => page.locator(`[data-node-id="${id}"] [data-testid="title"]`);
    await title('2').click();
    await page.keyboard.down('Control');
    await title('3').click();
    await page.keyboard.up('Control');
    const selected = () => page.evaluate(() => window.__piagraph!.app.handle!.selectedIds().sort());
    await page.waitForFunction(() => window.__piagraph!.app.handle!.selectedIds().length === 2);

    const before = (await readDocument(page)).nodes;
    // Drag the later node: on undo the document moves '2' first, which a still-picked '3' must not drag along.
    const grip = (await title('3').boundingBox())!;
    const from = { x: grip.x + grip.width / 2, y: grip.y + grip.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 80, from.y + 50, { steps: 10 });
    await page.mouse.up();
    await page.waitForFunction((x) => window.__piagraph!.document().nodes['2']!.position.x !== x, before['2']!.position.x);

    const after = (await readDocument(page)).nodes;
    const offset = (id: string) => ({ x: after[id]!.position.x - before[id]!.position.x, y: after[id]!.position.y - before[id]!.position.y });
    const zoom = (await page.evaluate(() => window.__piagraph!.app.handle!.camera())).zoom;
    // 80 × 50 screen pixels at the current zoom, for both nodes alike.
    expect(offset('3').x).toBeCloseTo(80 / zoom, 0);
    expect(offset('3').y).toBeCloseTo(50 / zoom, 0);
    // Accumulated float deltas: the same offset up to rounding.
    expect(offset('2').x).toBeCloseTo(offset('3').x, 6);
    expect(offset('2').y).toBeCloseTo(offset('3').y, 6);
    expect(after['1']!.position).toEqual(before['1']!.position);
    expect(await selected()).toEqual(['2', '3']);
    await screenshot(page, 'group-drag');

    await page.keyboard.press('Control+z');
    await page.waitForFunction((x) => window.__piagraph!.document().nodes['2']!.position.x === x, before['2']!.position.x);
    const undone = (await readDocument(page)).nodes;
    expect([undone['2']!.position, undone['3']!.position]).toEqual([before['2']!.position, before['3']!.position]);
    // The canvas follows the document: the nodes are drawn back where they were, not dragged along by each other.
    const drawn = await page.evaluate(() => ['2', '3'].map((id) => window.__piagraph!.app.canvas.scene.position(id)));
    expect(drawn).toEqual([before['2']!.position, before['3']!.position]);

    // A plain click on a selected node, without a drag, narrows the selection to it.
    await title('2').click();
    await page.waitForFunction(() => window.__piagraph!.app.handle!.selectedIds().length === 1);
    expect(await selected()).toEqual(['2']);
  });

  it('adds a node from the context menu, deletes the selection with Delete, and auto-arranges with ELK', async () => {
    await fresh();
    const at = await emptyCanvasPoint(page);
    await page.mouse.click(at.x, at.y, { button: 'right' });
    // A menu item's own text node holds its label; its subitems are nested inside it.
    const item = (label: string) => page.locator(`xpath=//*[@data-testid="context-menu-item"][text()="${label}"]`).first();
    await item('Add node').hover();
    await item('pia').hover();
    await item('image').hover();
    await item('Load Image').click();
    await nodeCount(Object.keys(example.nodes).length + 1);
    const added = Object.keys((await readDocument(page)).nodes).find((id) => !example.nodes[id])!;

    await page.locator(`[data-node-id="${added}"] [data-testid="title"]`).click();
    await page.keyboard.press('Delete');
    await nodeCount(Object.keys(example.nodes).length);

    await page.locator('[data-testid="arrange"]').click();
    await page.waitForFunction(
      (before) => JSON.stringify(Object.values(window.__piagraph!.document().nodes).map((n) => n.position)) !== before,
      JSON.stringify(Object.values(example.nodes).map((n) => n.position)),
      { timeout: 30_000 },
    );
    const x = (await readDocument(page)).nodes;
    // Left to right along the links: loader, sampler, decoder, Save Video.
    expect(x['1']!.position.x < x[SAMPLER]!.position.x).toBe(true);
    expect(x[SAMPLER]!.position.x < x[DECODE]!.position.x).toBe(true);
    expect(x[DECODE]!.position.x < x[SAVE]!.position.x).toBe(true);
    await screenshot(page, 'menu-delete-arrange');
  });
});
