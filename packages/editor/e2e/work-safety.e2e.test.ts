import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import {
  dragWire,
  dropFile,
  emptyCanvasPoint,
  noticeText,
  openEditor,
  openFile,
  readDocument,
  screenshot,
  socketSelector,
  startSession,
  waitForLinkCount,
  waitForNodeCount,
  type Session,
} from './harness.js';

/**
 * The "work must never be lost or crossed" defects, each reproduced through the UI as a user meets it:
 * text typed into one graph landing in another, one graph's results shown on another, New discarding work, a link
 * replacement needing two undos, unknown classes half-opening a graph, and seeds advancing for a refused prompt.
 */

const EXAMPLE_PATH = fileURLToPath(new URL('../../../examples/pia-image-to-video.json', import.meta.url));
const POSITIVE = '2';
const NEGATIVE = '3';
const SAMPLER = '7';
const SAVE = '9';
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

/** A fresh profile on the example, framed whole (it opens at a readable zoom showing its start). */
async function fresh(): Promise<Page> {
  ({ context, page } = await openEditor(session));
  await page.evaluate(() => window.__piagraph!.app.handle.zoomToFit());
  await waitForNodeCount(page, Object.keys(example.nodes).length);
  return page;
}

/** The example under another title, as a second graph a user opens. */
function otherGraph(title: string, change?: (doc: GraphDocument) => void): GraphDocument {
  const doc = structuredClone(example);
  doc.metadata.title = title;
  change?.(doc);
  return doc;
}

const linkKeys = (doc: GraphDocument) =>
  Object.values(doc.links)
    .map((l) => `${l.source.node}:${l.source.output}->${l.target.node}:${l.target.input}`)
    .sort();

const withoutView = ({ view: _view, ...doc }: GraphDocument) => doc;

const titleIs = (title: string) => page.waitForFunction((t) => document.querySelector('[data-testid="doc-title"]')?.textContent?.includes(t), title);

describe('work is never lost or crossed', () => {
  it('1. a prompt box with focus and an unsaved edit follows the newly opened graph, and its edit never lands there', async () => {
    await fresh();
    const box = page.locator(`[data-node-id="${POSITIVE}"] [data-testid="control-text"] textarea`);
    await box.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' TYPED IN A');
    // Graph B has the same node ids, classes and prompt text as A: nothing about the node tells the widget it changed.
    const b = otherGraph('Graph B');
    await openFile(page, 'b.json', b);
    await titleIs('Graph B');
    await expect(box.inputValue()).resolves.toBe(b.nodes[POSITIVE]!.values.text);
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.not.toBe('TEXTAREA');
    // Focus leaves wherever it is now: nothing is written into B.
    const at = await emptyCanvasPoint(page);
    await page.mouse.click(at.x, at.y);
    await expect(readDocument(page).then((d) => d.nodes[POSITIVE]!.values.text)).resolves.toBe(b.nodes[POSITIVE]!.values.text);

    // The same by drag-and-drop, with a different text in C so the box must show C's text.
    await box.click();
    await page.keyboard.type(' TYPED IN B');
    const c = otherGraph('Graph C', (d) => (d.nodes[POSITIVE]!.values.text = 'a quiet harbour at dawn'));
    await dropFile(page, '.pg-canvas-wrap', 'c.json', 'application/json', Buffer.from(JSON.stringify(c)));
    await titleIs('Graph C');
    await expect(box.inputValue()).resolves.toBe('a quiet harbour at dawn');
    await page.mouse.click(at.x, at.y);
    await expect(readDocument(page).then((d) => d.nodes[POSITIVE]!.values.text)).resolves.toBe('a quiet harbour at dawn');
    await screenshot(page, 'defect-1-widgets-follow-document');
  });

  it('2. results belong to the graph and job that produced them: another graph opens clean, and a late result stays off it', async () => {
    await fresh();
    const status = page.locator('[data-testid="status"]');
    const badges = () => page.locator('.pg-badge').count();
    // A refused prompt leaves its error on the node and in the toolbar.
    await page.evaluate((id) => window.__piagraph!.app.disconnect(id), DECODE_TO_SAVE);
    await waitForLinkCount(page, Object.keys(example.links).length - 1);
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForSelector(`[data-node-id="${SAVE}"][data-phase="error"]`);
    await openFile(page, 'a.json', otherGraph('Graph A'));
    await titleIs('Graph A');
    // Framed whole, so Save Video's card (and the output it will show) is in view below the tab strip.
    await page.evaluate(() => window.__piagraph!.app.handle.zoomToFit());
    await expect(status.textContent()).resolves.toBe('Idle');
    await expect(page.locator('[data-phase="error"]').count()).resolves.toBe(0);

    // A finished run's outputs, timings and cached badges stay with its graph.
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForSelector(`[data-node-id="${SAVE}"] [data-testid="output-image"]`, { timeout: 240_000 });
    await page.waitForFunction(() => document.querySelectorAll('.pg-badge').length > 0);
    await openFile(page, 'b.json', otherGraph('Graph B'));
    await titleIs('Graph B');
    await expect(page.locator('[data-testid="output-image"], [data-testid="output-video"]').count()).resolves.toBe(0);
    await expect(badges()).resolves.toBe(0);
    await expect(page.locator('[data-testid="node"]:is([data-phase="done"], [data-phase="cached"])').count()).resolves.toBe(0);
    await expect(status.textContent()).resolves.toBe('Idle');

    // A job queued from B runs while C is open: none of its events reach C's nodes.
    const api = (path: string, body: unknown) => page.evaluate(([p, b]) => fetch(p!, { method: 'POST', body: JSON.stringify(b) }).then((r) => r.status), [path, body] as const);
    await api('/api/queue/pause', {});
    const seed = page.locator(`[data-node-id="${SAMPLER}"] [data-testid="control-seed"] input`);
    await seed.fill('7');
    await seed.press('Enter');
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction(() => window.__piagraph!.app.ui.state.queue.pending.length === 1);
    const promptId = await page.evaluate(() => window.__piagraph!.app.ui.state.queue.pending[0]!.promptId);
    await openFile(page, 'c.json', otherGraph('Graph C'));
    await titleIs('Graph C');
    await api('/api/queue/resume', {});
    await page.waitForFunction(
      (id) => fetch(`/history/${id}`).then((r) => r.json()).then((h: Record<string, { status?: { completed?: boolean } }>) => h[id]?.status?.completed === true),
      promptId,
      { timeout: 120_000, polling: 250 },
    );
    await page.waitForTimeout(300);
    await expect(page.locator('[data-testid="output-image"], [data-testid="progress"], [data-testid="preview"]').count()).resolves.toBe(0);
    await expect(badges()).resolves.toBe(0);
    await expect(page.locator('[data-node-id][data-phase]:not([data-phase="idle"])').count()).resolves.toBe(0);
    await screenshot(page, 'defect-2-results-belong-to-their-graph');
  }, 300_000);

  it('3. New asks before discarding unsaved changes and is undone by Ctrl+Z', async () => {
    await fresh();
    const newButton = page.locator('.pg-toolbar button', { hasText: /^New$/ });
    const dialog = page.locator('[data-testid="confirm-dialog"]');
    // The example as opened has no unsaved changes: New clears it without asking, and one undo brings it back.
    await newButton.click();
    await waitForNodeCount(page, 0);
    await expect(dialog.count()).resolves.toBe(0);
    await page.keyboard.press('Control+z');
    await waitForNodeCount(page, Object.keys(example.nodes).length);

    const steps = page.locator(`[data-node-id="${SAMPLER}"] [data-testid="control-steps"] input`);
    await steps.fill('12');
    await steps.press('Enter');
    await page.waitForFunction((id) => window.__piagraph!.document().nodes[id]!.values.steps === 12, SAMPLER);
    await newButton.click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/unsaved changes/i);
    await screenshot(page, 'defect-3-new-asks');
    await page.locator('[data-testid="confirm-cancel"]').click();
    await expect(dialog.count()).resolves.toBe(0);
    await expect(readDocument(page).then((d) => Object.keys(d.nodes).length)).resolves.toBe(Object.keys(example.nodes).length);

    await newButton.click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await waitForNodeCount(page, 0);
    // Autosave has written the empty graph by now; undo still brings the edited one back, and autosave follows it.
    // The shown tab's autosaved graph: how many nodes it has (-1 before the first write).
    const autosavedNodes = () =>
      page.evaluate(() => {
        const text = localStorage.getItem(`piagraph.tab.v1.${window.__piagraph!.app.tabs.list.active}`);
        return text ? Object.keys((JSON.parse(text) as GraphDocument).nodes).length : -1;
      });
    await expect.poll(autosavedNodes).toBe(0);
    await page.keyboard.press('Control+z');
    await waitForNodeCount(page, Object.keys(example.nodes).length);
    await expect(readDocument(page).then((d) => d.nodes[SAMPLER]!.values.steps)).resolves.toBe(12);
    await expect.poll(autosavedNodes).toBe(Object.keys(example.nodes).length);
  });

  it('4. replacing the link on an occupied input, or moving a link to another input, is one undo step', async () => {
    await fresh();
    const keys = async () => linkKeys(await readDocument(page));
    const original = linkKeys(example);
    // The negative prompt's output onto the sampler's occupied `positive` input: the positive prompt's link goes.
    await dragWire(page, socketSelector(NEGATIVE, 'output', '0'), socketSelector(SAMPLER, 'input', 'positive'));
    await page.waitForFunction((id) => Object.values(window.__piagraph!.document().links).some((l) => l.source.node === '3' && l.target.input === 'positive' && l.target.node === id), SAMPLER);
    expect(await keys()).toEqual(original.filter((k) => k !== `${POSITIVE}:0->${SAMPLER}:positive`).concat(`${NEGATIVE}:0->${SAMPLER}:positive`).sort());
    await screenshot(page, 'defect-4-replaced-link');
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => Object.keys(window.__piagraph!.document().links).length === n, original.length);
    expect(await keys()).toEqual(original);

    // Picking the link up at the `negative` input and dropping it on `positive` moves it, also in one step.
    await dragWire(page, socketSelector(SAMPLER, 'input', 'negative'), socketSelector(SAMPLER, 'input', 'positive'));
    await page.waitForFunction(() => !Object.values(window.__piagraph!.document().links).some((l) => l.target.input === 'negative'));
    expect(await keys()).toEqual(original.filter((k) => !k.endsWith(`${SAMPLER}:positive`) && !k.endsWith(`${SAMPLER}:negative`)).concat(`${NEGATIVE}:0->${SAMPLER}:positive`).sort());
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => Object.keys(window.__piagraph!.document().links).length === n, original.length);
    expect(await keys()).toEqual(original);
  });

  it('5. unknown node classes are refused with the full list, whatever the format, and queueing names all of them', async () => {
    await fresh();
    const prompt = {
      '1': { class_type: 'FooNode', inputs: {} },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['3', 0] } },
      '3': { class_type: 'BarNode', inputs: {} },
    };
    const workflow = {
      version: 0.4,
      links: [],
      nodes: [
        { id: 1, type: 'FooNode', mode: 0, inputs: [], outputs: [] },
        { id: 3, type: 'BarNode', mode: 0, inputs: [], outputs: [] },
      ],
    };
    const saved: GraphDocument = {
      format: 'piagraph',
      version: 1,
      metadata: { title: 'unknown classes' },
      nodes: {
        '1': { id: '1', classType: 'FooNode', position: { x: 0, y: 0 }, values: {} },
        '3': { id: '3', classType: 'BarNode', position: { x: 300, y: 0 }, values: {} },
      },
      links: {},
    };
    for (const [name, graph] of [['prompt.json', prompt], ['workflow.json', workflow], ['document.json', saved]] as const) {
      await page.evaluate(() => window.__piagraph!.app.ui.update({ notice: undefined }));
      await openFile(page, name, graph);
      await page.waitForSelector('[data-testid="notice"]');
      expect(await noticeText(page)).toBe(`Cannot open ${name}: unknown node types: BarNode, FooNode (is the node pack installed?)`);
      // Not half-opened: the example is still the open graph.
      expect(withoutView(await readDocument(page))).toEqual(withoutView(example));
    }
    await screenshot(page, 'defect-5-unknown-classes-refused');

    // A graph already holding such nodes (restored from an earlier session) is refused by the server naming all.
    await page.evaluate((d) => window.__piagraph!.load(d), saved);
    await waitForNodeCount(page, 2);
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('BarNode'));
    expect(await noticeText(page)).toMatch(/BarNode, FooNode/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"][data-phase="error"]').length === 2);
  });

  it('6. seeds advance only for a prompt the server queued', async () => {
    await fresh();
    const seed = () => readDocument(page).then((d) => d.nodes[SAMPLER]!.values.seed);
    await page.locator(`[data-node-id="${SAMPLER}"] [data-testid="control-seed"] select`).selectOption('increment');
    await page.waitForFunction((id) => (window.__piagraph!.document().nodes[id]!.ui?.controlAfterGenerate as Record<string, string>)?.seed === 'increment', SAMPLER);

    // Refused by validation: Save Video lost its input.
    await page.evaluate((id) => window.__piagraph!.app.disconnect(id), DECODE_TO_SAVE);
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForSelector(`[data-node-id="${SAVE}"][data-phase="error"]`);
    expect(await seed()).toBe(42);

    // The request itself fails (the server went away).
    await page.evaluate(() => window.__piagraph!.app.undo());
    await waitForLinkCount(page, Object.keys(example.links).length);
    await page.route('**/prompt', (route) => route.abort());
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.startsWith('Queue failed'));
    expect(await seed()).toBe(42);
    await page.unroute('**/prompt');

    // Queued: the seed moves on by its control, and the queued prompt carried the seed it ran with.
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction((id) => window.__piagraph!.document().nodes[id]!.values.seed === 43, SAMPLER);
    const pending = await page.evaluate(() => fetch('/queue').then((r) => r.json()));
    const history = await page.evaluate(() => fetch('/history').then((r) => r.json()));
    const queued = [...(pending.queue_running ?? []), ...(pending.queue_pending ?? [])].map((e: unknown[]) => e[2]).concat(Object.values(history).map((h) => (h as { prompt: unknown[] }).prompt[2]));
    expect(queued.some((p) => (p as Record<string, { inputs: { seed?: number } }>)[SAMPLER]?.inputs.seed === 43)).toBe(true);
    await screenshot(page, 'defect-6-seed-advanced-once');
  });
});
