import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { dragWire, loadGraph, openEditor, readDocument, screenshot, socketSelector, startSession, type Session } from './harness.js';
import { scenario } from './scenario.js';

/** The graph the editor opens on first start, when the build bundled it. */
const EXAMPLE = fileURLToPath(new URL('../../../examples/pia-image-to-video.json', import.meta.url));

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
  return page;
}

const linkKeys = (doc: GraphDocument) =>
  Object.values(doc.links)
    .map((l) => `${l.source.node}:${l.source.output}->${l.target.node}:${l.target.input}`)
    .sort();

describe('editor in Chromium against the real server', () => {
  it('loads the page with the node palette from object_info, opening on the example graph when there is one', async () => {
    await fresh();
    await expect(page.locator('[data-testid="palette-E2ESlowFrames"]').count()).resolves.toBe(1);
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === 'Idle');
    if (existsSync(EXAMPLE)) {
      const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as GraphDocument;
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="node"]').length === n, Object.keys(example.nodes).length);
      expect(Object.keys((await readDocument(page)).nodes).sort()).toEqual(Object.keys(example.nodes).sort());
    } else {
      await expect(page.locator('[data-testid="empty-hint"]').isVisible()).resolves.toBe(true);
    }
    await screenshot(page, 'load');
  });

  it('adds a node from the double-click search box', async () => {
    await fresh();
    await page.evaluate(() => window.__piagraph!.app.newGraph());
    await page.waitForSelector('[data-testid="empty-hint"]');
    const canvas = await page.locator('[data-testid="canvas"]').boundingBox();
    await page.mouse.dblclick(canvas!.x + 300, canvas!.y + 200);
    await page.locator('[data-testid="node-search-input"]').fill('slow fr');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="node"][data-node-type="E2ESlowFrames"]');
    const doc = await readDocument(page);
    expect(Object.values(doc.nodes).map((n) => n.classType)).toEqual(['E2ESlowFrames']);
    expect(Object.values(doc.nodes)[0]!.values).toMatchObject({ frames: 6, steps: 6, seed: 0 });
    await screenshot(page, 'search-add');
  });

  it('connects two nodes by dragging a wire, and undoes and redoes it from the keyboard', async () => {
    await fresh();
    const graph = scenario.graph();
    delete graph.links['2'];
    await loadGraph(page, graph);
    await dragWire(page, socketSelector('2', 'output', '0'), socketSelector('3', 'input', 'images'));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="connection"]').length === 2);
    expect(linkKeys(await readDocument(page))).toEqual(['1:0->2:image', '2:0->3:images']);
    await screenshot(page, 'connect');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="connection"]').length === 1);
    expect(linkKeys(await readDocument(page))).toEqual(['1:0->2:image']);
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="connection"]').length === 2);
  });

  it('refuses a wire between incompatible sockets', async () => {
    await fresh();
    const graph = scenario.graph();
    await loadGraph(page, graph);
    // IMAGE output of the solid image into the INT `fps` input of the output node.
    await dragWire(page, socketSelector('1', 'output', '0'), socketSelector('3', 'input', 'fps'));
    await page.waitForTimeout(200);
    expect(linkKeys(await readDocument(page))).toEqual(linkKeys(graph));
    await expect(page.locator('[data-testid="connection"]').count()).resolves.toBe(2);
    await screenshot(page, 'refuse');
  });

  it('queues the graph, shows progress on the running node and plays the finished video in the output node', async () => {
    await fresh();
    await loadGraph(page, scenario.graph());
    await page.locator('[data-testid="queue-button"]').click();
    const running = `[data-node-id="${scenario.progressNode}"]`;
    await page.waitForSelector(`${running}[data-phase="running"] [data-testid="progress"]`, { timeout: 20_000 });
    await page.waitForSelector(`${running} [data-testid="preview"]`, { timeout: 20_000 });
    await screenshot(page, 'queue-progress');
    const video = `[data-node-id="${scenario.outputNode}"] [data-testid="output-video"]`;
    await page.waitForSelector(video, { timeout: 30_000 });
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLVideoElement | null)?.readyState! >= 2, video, { timeout: 20_000 });
    const href = await page.locator(`[data-node-id="${scenario.outputNode}"] [data-testid="output-download"]`).getAttribute('href');
    expect(href).toMatch(/^\/view\?filename=e2e_\d+_\d+\.webm&type=output/);
    // The seed advanced by its control mode ('increment') before the graph was sent.
    expect((await readDocument(page)).nodes['2']!.values.seed).toBe(2);
    await screenshot(page, 'queue-done');
  });

  it('shows a validation error from the server on the offending node and input', async () => {
    await fresh();
    const graph = scenario.graph();
    delete graph.links['2'];
    await loadGraph(page, graph);
    await page.locator('[data-testid="queue-button"]').click();
    const input = `[data-node-id="${scenario.outputNode}"] [data-testid="input-images"] [data-testid="input-error"]`;
    await page.waitForSelector(input);
    await expect(page.locator(`[data-node-id="${scenario.outputNode}"]`).getAttribute('data-phase')).resolves.toBe('error');
    await screenshot(page, 'validation-error');
  });

  it('saves the graph to a file, restores it after a reload, and opens the saved file again', async () => {
    await fresh();
    const graph = scenario.graph();
    await loadGraph(page, graph);
    const download = page.waitForEvent('download');
    await page.locator('[data-testid="save"]').click();
    const saved = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as GraphDocument;
    const { view: _view, ...savedWithoutCamera } = saved;
    expect(savedWithoutCamera).toEqual(graph);

    await page.waitForTimeout(400);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 3);
    expect(await readDocument(page)).toEqual(graph);

    await page.evaluate(() => window.__piagraph!.app.newGraph());
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 0);
    await page.locator('[data-testid="open-input"]').setInputFiles({ name: 'graph.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(saved)) });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 3);
    expect(await readDocument(page)).toEqual(saved);
    await screenshot(page, 'save-reload');
  });

  it('adds a node from the context menu, deletes the selection with Delete, and auto-arranges with ELK', async () => {
    await fresh();
    await loadGraph(page, scenario.graph());
    const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    await page.mouse.click(canvas.x + 40, canvas.y + canvas.height - 40, { button: 'right' });
    // A menu item's own text node holds its label; its subitems are nested inside it.
    const item = (label: string) => page.locator(`xpath=//*[@data-testid="context-menu-item"][text()="${label}"]`).first();
    await item('e2e').hover();
    await item('image').hover();
    await item('Solid Image').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 4);

    await page.locator('[data-node-id="4"] [data-testid="title"]').click();
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 3);

    await page.locator('[data-testid="arrange"]').click();
    await page.waitForFunction(() => window.__piagraph!.app.docs.canUndo && window.__piagraph!.document().nodes['1']!.position.x !== 0, undefined, { timeout: 20_000 });
    const xs = Object.values((await readDocument(page)).nodes).sort((a, b) => a.id.localeCompare(b.id)).map((n) => n.position.x);
    // Left to right along the links: image, frames, output.
    expect(xs[0]! < xs[1]! && xs[1]! < xs[2]!).toBe(true);
    await screenshot(page, 'menu-delete-arrange');
  });
});
