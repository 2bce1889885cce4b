import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { GraphDocument } from '@piagraph/graph-core';
import { startServer, type PiagraphServer } from '@piagraph/server';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** Screenshots of every end-to-end test land here (git-ignored). */
export const TEST_OUTPUT = join(root, 'test-output');

/**
 * Flags for a quiet, isolated headless run. Playwright adds `--headless` itself (`headless: true`) and a fresh
 * temporary `--user-data-dir` for every launch (it refuses that flag in `args`), so each run starts from an empty
 * profile.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches the system Chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/**
 * The real server in-process on an ephemeral port with a temporary data folder, plus headless Chromium. The
 * server registers the PIA pack, which writes its tiny demo model into the data folder on first use.
 */
export interface Session {
  server: PiagraphServer;
  browser: Browser;
  dataDir: string;
  close(): Promise<void>;
}

export async function startSession(): Promise<Session> {
  const dataDir = mkdtempSync(join(tmpdir(), 'piagraph-e2e-'));
  const server = await startServer({
    port: 0,
    dataDir,
    editorDir: join(root, 'dist'),
    keepaliveMs: 0,
  });
  const browser = await launchChromium();
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return {
    server,
    browser,
    dataDir,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser context (empty localStorage) with the editor loaded and its node definitions in. */
export async function openEditor(session: Session, viewport = { width: 1400, height: 860 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await session.browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(session.server.url);
  await page.waitForFunction(() => window.__piagraph?.app.ui.state.ready === true);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { context, page };
}

/** Loads a document through the test hook and waits until the canvas has drawn it. */
export async function loadGraph(page: Page, doc: GraphDocument): Promise<void> {
  await page.evaluate(async (d) => {
    await window.__piagraph!.load(d);
    await window.__piagraph!.rendered();
  }, doc);
}

/** Frames the whole graph (Fit) and waits until every node's card is rendered. */
export async function showAll(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.__piagraph!.app.handle.zoomToFit();
    await window.__piagraph!.rendered();
  });
}

/** The client point of a socket, from the canvas's geometry (whether or not its card is rendered). */
export async function socketPoint(page: Page, nodeId: string, side: 'input' | 'output', key: string): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([id, s, k]) => {
      const c = window.__piagraph!.app.canvas;
      const g = c.scene.socket(id!, s as 'input' | 'output', k!)!;
      const r = c.elements!.container.getBoundingClientRect();
      return { x: r.left + g.x * c.camera.k + c.camera.x, y: r.top + g.y * c.camera.k + c.camera.y };
    },
    [nodeId, side, key],
  );
}

/** The document the editor holds now. */
export function readDocument(page: Page): Promise<GraphDocument> {
  return page.evaluate(() => window.__piagraph!.document());
}

/** The centre of an element, in page coordinates. */
async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`no box for ${selector}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The selector of a socket: `output` sockets by index, `input` sockets by input name. */
export function socketSelector(nodeId: string, side: 'input' | 'output', key: string): string {
  return `[data-node-id="${nodeId}"] [data-testid="${side}-${key}"] [data-testid="${side}-socket"]`;
}

/** Drags a wire from an output socket to an input socket with the mouse, as a user does. */
export async function dragWire(page: Page, from: string, to: string): Promise<void> {
  const a = await centre(page, from);
  const b = await centre(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/**
 * A client point on empty canvas (no node, menu or minimap under it), scanning a grid from the top left, for
 * gestures that must land on the background.
 */
export async function emptyCanvasPoint(page: Page): Promise<{ x: number; y: number }> {
  const point = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    for (let y = canvas.top + 30; y < canvas.bottom - 30; y += 40) {
      for (let x = canvas.left + 30; x < canvas.right - 30; x += 40) {
        const hit = document.elementFromPoint(x, y);
        if (hit && !hit.closest('.pg-node, .pg-connection, [data-testid="minimap"], [data-testid="context-menu"]')) return { x, y };
      }
    }
    return undefined;
  });
  if (!point) throw new Error('no empty canvas point');
  return point;
}

/** Saves a screenshot under `test-output/`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(TEST_OUTPUT, `${name}.png`) });
}

/** Waits until the canvas shows `n` nodes. */
export async function waitForNodeCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid="node"]').length === count, n);
}

/** Waits until the document holds `n` links. */
export async function waitForLinkCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction((count) => Object.keys(window.__piagraph!.document().links).length === count, n);
}

/** Opens a graph file through the toolbar's file input, as the Open… button does. */
export async function openFile(page: Page, name: string, json: unknown): Promise<void> {
  await page.locator('[data-testid="open-input"]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
}

/** Drops a file onto the canvas, as a user drags one in from the desktop. */
export async function dropFile(page: Page, selector: string, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ name, mimeType, data }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type: mimeType }));
      return dt;
    },
    { name, mimeType, data: bytes.toString('base64') },
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await page.locator(selector).first().dispatchEvent(type, { dataTransfer: transfer });
}

/** The text of the notice line, once one shows. */
export async function noticeText(page: Page): Promise<string> {
  return (await page.locator('[data-testid="notice"]').textContent()) ?? '';
}
