import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emptyCanvasPoint, openEditor, openFile, readDocument, screenshot, showAll, startSession, type Session } from './harness.js';

/** Groups (ComfyUI's titled frames): made around the selection, renamed, coloured, moved with their nodes, imported. */

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

/** A context-menu entry by its own label (its submenu's entries are nested inside it). */
const menuItem = (label: string) => page.locator(`xpath=//*[@data-testid="context-menu-item"][text()="${label}"]`).first();

describe('groups', () => {
  it('groups the selection with Ctrl+G, renames it by double-click, colours it, and moves it with its nodes in one undo step', async () => {
    await fresh();
    await page.evaluate(() => window.__piagraph!.app.handle.select(['2', '3']));
    await page.keyboard.press('Control+g');
    await page.waitForSelector('[data-testid="group"]');
    let doc = await readDocument(page);
    const group = Object.values(doc.groups!)[0]!;
    // It encloses both text encoders (graph-core positions, hand-checked sizes: the cards are 260 wide).
    for (const id of ['2', '3']) {
      const n = doc.nodes[id]!.position;
      expect(n.x).toBeGreaterThan(group.bounds.x);
      expect(n.y).toBeGreaterThan(group.bounds.y);
      expect(n.x + 260).toBeLessThan(group.bounds.x + group.bounds.width);
    }

    const title = page.locator('[data-testid="group-title"]');
    await title.dblclick();
    await page.locator('[data-testid="title-input"]').fill('Prompts');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => Object.values(window.__piagraph!.document().groups ?? {})[0]?.title === 'Prompts');

    await title.click({ button: 'right' });
    await menuItem('Colour').hover();
    await menuItem('green').click();
    await page.waitForFunction(() => Object.values(window.__piagraph!.document().groups ?? {})[0]?.color === '#8A8');

    const before = await readDocument(page);
    const box = (await title.boundingBox())!;
    const zoom = await page.evaluate(() => window.__piagraph!.app.handle.camera().zoom);
    await page.mouse.move(box.x + 40, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 40 + 60, box.y + box.height / 2 + 30, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction((x) => Object.values(window.__piagraph!.document().groups!)[0]!.bounds.x !== x, Object.values(before.groups!)[0]!.bounds.x);
    doc = await readDocument(page);
    const moved = (id: string) => [doc.nodes[id]!.position.x - before.nodes[id]!.position.x, doc.nodes[id]!.position.y - before.nodes[id]!.position.y];
    expect(moved('2')[0]).toBeCloseTo(60 / zoom, 2);
    expect(moved('3')[1]).toBeCloseTo(30 / zoom, 2);
    // Nodes outside the group stay.
    expect(doc.nodes['7']!.position).toEqual(before.nodes['7']!.position);
    await screenshot(page, 'group-moved');
    await page.keyboard.press('Control+z');
    await page.waitForFunction((x) => window.__piagraph!.document().nodes['2']!.position.x === x, before.nodes['2']!.position.x);
    expect(await readDocument(page)).toEqual(before);
  });

  it("shows the groups of an imported ComfyUI workflow with their titles and colours", async () => {
    await fresh();
    const workflow = {
      version: 0.4,
      last_node_id: 1,
      last_link_id: 0,
      nodes: [{ id: 1, type: 'LoadImage', pos: [100, 120], size: [260, 300], mode: 0, inputs: [], outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [] }], widgets_values: ['piagraph-demo.png', 'image'] }],
      links: [],
      groups: [{ title: 'Inputs', bounding: [60, 40, 360, 420], color: '#b06634' }],
    };
    await openFile(page, 'workflow.json', workflow);
    await page.waitForFunction(() => document.querySelector('[data-testid="group-title"]')?.textContent === 'Inputs');
    const colour = await page.locator('[data-testid="group"]').evaluate((el) => (el as HTMLElement).style.getPropertyValue('--group-colour'));
    expect(colour).toBe('#b06634');
    expect(Object.values((await readDocument(page)).groups!)[0]!.bounds).toEqual({ x: 60, y: 40, width: 360, height: 420 });
    await screenshot(page, 'group-imported');
  });
});

describe('node editing', () => {
  it('renames a node by double-clicking its title, and an empty title goes back to the class name', async () => {
    await fresh();
    const title = page.locator('[data-node-id="7"] [data-testid="title"]');
    await title.dblclick();
    await page.locator('[data-testid="title-input"]').fill('Main sampler');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.title === 'Main sampler');
    expect(await title.locator('.pg-node-title-text').textContent()).toBe('Main sampler');
    await title.dblclick();
    await page.locator('[data-testid="title-input"]').fill('');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.title === undefined);
    expect(await title.locator('.pg-node-title-text').textContent()).toBe('DDIM Sampler (PIA)');
  });

  it('collapses with Alt+C (the wires then meet the title bar), colours, pins and resizes a node', async () => {
    await fresh();
    const card = page.locator('[data-node-id="7"]');
    await card.locator('[data-testid="title"]').click();
    await page.keyboard.press('Alt+c');
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.ui?.collapsed === true);
    expect((await card.boundingBox())!.height).toBeLessThan(40);
    const socketY = await page.evaluate(() => window.__piagraph!.app.canvas.scene.socket('7', 'input', 'model')!.y - window.__piagraph!.document().nodes['7']!.position.y);
    expect(socketY).toBe(15);
    await page.keyboard.press('Alt+c');
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.ui?.collapsed === undefined);

    await card.locator('[data-testid="title"]').click({ button: 'right' });
    await menuItem('Colour').hover();
    await menuItem('blue').click();
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.ui?.bgcolor === '#335');
    expect(await card.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(51, 51, 85)');

    // Resize from the bottom-right corner: 100 px wider on screen.
    const zoom = await page.evaluate(() => window.__piagraph!.app.handle.camera().zoom);
    const handle = (await card.locator('.pg-resize-handle').boundingBox())!;
    const grip = { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 };
    await page.mouse.move(grip.x, grip.y);
    await page.mouse.down();
    await page.mouse.move(grip.x + 100, grip.y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__piagraph!.document().nodes['7']!.size !== undefined);
    expect((await readDocument(page)).nodes['7']!.size!.width).toBeCloseTo(260 + 100 / zoom, -1);
    await screenshot(page, 'node-coloured-resized');

    // Pinned (P): a drag no longer moves it, and it has no resize corner.
    await card.locator('[data-testid="title"]').click();
    await page.keyboard.press('p');
    await page.waitForSelector('[data-node-id="7"] [data-testid="pinned"]');
    const x = (await readDocument(page)).nodes['7']!.position.x;
    const t = (await card.locator('[data-testid="title"]').boundingBox())!;
    await page.mouse.move(t.x + 30, t.y + 10);
    await page.mouse.down();
    await page.mouse.move(t.x + 130, t.y + 10, { steps: 5 });
    await page.mouse.up();
    expect((await readDocument(page)).nodes['7']!.position.x).toBe(x);
    await expect(card.locator('.pg-resize-handle').count()).resolves.toBe(0);
  });

  it('puts a reroute on a link from its handle and a note on the canvas; the queued prompt has neither', async () => {
    await fresh();
    // Link handles show from zoom 0.6: look at the VAE Decode → Save Video wire at zoom 1.
    await page.evaluate(() => window.__piagraph!.app.handle.setCamera({ x: -1100, y: 100, zoom: 1 }));
    await page.evaluate(() => window.__piagraph!.rendered());
    // The handle in the middle of the VAE Decode → Save Video wire.
    const mid = await page.evaluate(() => {
      const c = window.__piagraph!.app.canvas;
      const a = c.scene.socket('8', 'output', 0)!;
      const b = c.scene.socket('9', 'input', 'images')!;
      const r = c.elements!.container.getBoundingClientRect();
      return { x: r.left + ((a.x + b.x) / 2) * c.camera.k + c.camera.x, y: r.top + ((a.y + b.y) / 2) * c.camera.k + c.camera.y };
    });
    await page.mouse.click(mid.x, mid.y);
    await menuItem('Add reroute').click();
    await page.waitForSelector('[data-testid="node"][data-node-type="Reroute"]');
    let doc = await readDocument(page);
    const reroute = Object.values(doc.nodes).find((n) => n.classType === 'Reroute')!;
    expect(Object.values(doc.links).filter((l) => l.source.node === reroute.id || l.target.node === reroute.id).map((l) => `${l.source.node}->${l.target.node}:${l.target.input}`).sort()).toEqual([
      `${reroute.id}->9:images`,
      `8->${reroute.id}:input`,
    ]);

    const at = await emptyCanvasPoint(page);
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await menuItem('Add note').click();
    await page.waitForSelector('[data-testid="node"][data-node-type="Note"] textarea');
    await page.locator('[data-node-type="Note"] textarea').fill('Seeds are fixed on purpose.');
    await page.mouse.click(at.x + 5, at.y + 300);
    await page.waitForFunction(() => Object.values(window.__piagraph!.document().nodes).some((n) => n.values.text === 'Seeds are fixed on purpose.'));
    await screenshot(page, 'reroute-and-note');

    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForFunction(() => window.__piagraph!.app.runs.state.message?.startsWith('Queued') || window.__piagraph!.app.runs.state.running);
    const queued = await page.evaluate(async () => {
      const q = (await (await fetch('/queue')).json()) as { queue_running: unknown[][]; queue_pending: unknown[][] };
      const h = (await (await fetch('/history')).json()) as Record<string, { prompt: unknown[] }>;
      return [...q.queue_running, ...q.queue_pending].map((e) => e[2]).concat(Object.values(h).map((e) => e.prompt[2]))[0] as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    });
    expect(Object.values(queued).map((n) => n.class_type)).not.toContain('Reroute');
    expect(Object.values(queued).map((n) => n.class_type)).not.toContain('Note');
    expect(queued['9']!.inputs['images']).toEqual(['8', 0]);
    doc = await readDocument(page);
    expect(Object.values(doc.nodes).map((n) => n.classType)).toEqual(expect.arrayContaining(['Reroute', 'Note']));
  });
});
