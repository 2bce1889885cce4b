import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropFile, emptyCanvasPoint, openEditor, readDocument, screenshot, showAll, startSession, type Session } from './harness.js';

/** Images into Load Image by drop and paste. */

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

const png = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();

/** Pastes a file as the browser does for a copied picture (a paste event carrying it). */
async function pasteFile(name: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    ({ name, data }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { name, data: bytes.toString('base64') },
  );
}

const thumbnailSize = (nodeId: string) =>
  page.evaluate((id) => {
    const img = document.querySelector<HTMLImageElement>(`[data-node-id="${id}"] [data-testid="thumbnail"]`);
    return img?.complete ? [img.naturalWidth, img.naturalHeight] : undefined;
  }, nodeId);

describe('images into Load Image', () => {
  it('uploads an image dropped on Load Image and selects it, and one pasted while it is selected', async () => {
    await fresh();
    await dropFile(page, '[data-node-id="4"] [data-testid="title"]', 'red.png', 'image/png', await png(40, 30, '#ff0000'));
    await page.waitForFunction(() => window.__piagraph!.document().nodes['4']!.values.image === 'red.png');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-node-id="4"] [data-testid="thumbnail"]');
      return img?.complete && img.naturalWidth === 40;
    });
    expect(await thumbnailSize('4')).toEqual([40, 30]);
    await screenshot(page, 'drop-image-on-load-image');

    await page.locator('[data-node-id="4"] [data-testid="title"]').click();
    await pasteFile('green.png', await png(20, 10, '#00ff00'));
    await page.waitForFunction(() => window.__piagraph!.document().nodes['4']!.values.image === 'green.png');
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('[data-node-id="4"] [data-testid="thumbnail"]')?.naturalWidth === 20);
  });

  it('turns an image without a graph dropped on empty canvas, or pasted with nothing selected, into a new Load Image node', async () => {
    await fresh();
    const at = await emptyCanvasPoint(page);
    await page.mouse.click(at.x, at.y);
    await dropFile(page, '[data-testid="canvas"]', 'blue.png', 'image/png', await png(16, 16, '#0000ff'));
    await page.waitForFunction(() => Object.values(window.__piagraph!.document().nodes).some((n) => n.values.image === 'blue.png'));
    await pasteFile('pasted.png', await png(12, 12, '#ffff00'));
    await page.waitForFunction(() => Object.values(window.__piagraph!.document().nodes).some((n) => n.values.image === 'pasted.png'));
    const added = Object.values((await readDocument(page)).nodes).filter((n) => n.classType === 'LoadImage' && n.id !== '4');
    expect(added.map((n) => n.values.image).sort()).toEqual(['blue.png', 'pasted.png']);
    // Each arrived as one edit.
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => !Object.values(window.__piagraph!.document().nodes).some((n) => n.values.image === 'pasted.png'));
    expect(Object.values((await readDocument(page)).nodes).some((n) => n.values.image === 'blue.png')).toBe(true);
  });
});

describe('export', () => {
  it('downloads the API-format prompt of the graph, which POST /prompt accepts', async () => {
    await fresh();
    const download = page.waitForEvent('download');
    await page.locator('[data-testid="export-api"]').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^PIA. image to video_api\.json$/);
    const prompt = JSON.parse(await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8')) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    // The example by hand: nine nodes under their ids, links as [source, output], widget values as literals.
    expect(Object.keys(prompt).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(prompt['7']!.class_type).toBe('PIADDIMSampler');
    expect(prompt['7']!.inputs).toMatchObject({ model: ['1', 0], positive: ['2', 0], negative: ['3', 0], pia_condition: ['6', 0], seed: 42, steps: 10 });
    expect(prompt['9']!.inputs['images']).toEqual(['8', 0]);
    await screenshot(page, 'export-api');
    const status = await page.evaluate((p) => fetch('/prompt', { method: 'POST', body: JSON.stringify({ prompt: p }) }).then((r) => r.status), prompt);
    expect(status).toBe(200);
  });
});

describe('readable errors', () => {
  it('shows an upload refusal and a queue refusal as sentences, not raw JSON', async () => {
    await fresh();
    const notes = Buffer.from('hello, these are notes and not a picture at all\n'.repeat(20));
    // What the server says about it, asked directly.
    const form = new FormData();
    form.append('image', new Blob([notes], { type: 'image/png' }), 'notes.png');
    const answer = (await (await fetch(`${session.server.url}/upload/image`, { method: 'POST', body: form })).json()) as { error: { message: string; details: string } };
    await dropFile(page, '[data-node-id="4"] [data-testid="title"]', 'notes.png', 'image/png', notes);
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.startsWith('Upload failed'));
    const text = (await page.locator('[data-testid="notice"]').textContent())!;
    expect(text).not.toMatch(/[{}"]error"/);
    expect(text.startsWith(`Upload failed: ${answer.error.message}`)).toBe(true);
    await screenshot(page, 'readable-upload-error');

    await page.evaluate(() => window.__piagraph!.app.ui.update({ notice: undefined }));
    await page.evaluate(() => window.__piagraph!.app.disconnect('12'));
    await page.locator('[data-testid="queue-button"]').click();
    await page.waitForSelector('[data-testid="notice"]');
    const lines = (await page.locator('[data-testid="notice"]').textContent())!.split('\n');
    expect(lines[0]).toBe('Prompt outputs failed validation');
    expect(lines[1]).toMatch(/^• Save Video #9, images: Required input is missing/);
    await screenshot(page, 'readable-queue-error');
  });
});
