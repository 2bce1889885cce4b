import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { noticeText, openEditor, openFile, readDocument, screenshot, showAll, startSession, type Session } from './harness.js';

/**
 * The server's graph library from the editor: save under a name, save new revisions, list graphs with their
 * update time and revisions, open a graph or an older revision in a tab; name clashes, saves over a newer revision
 * and server refusals read as sentences. What the server holds is checked through its own API.
 */

const EXAMPLE_PATH = fileURLToPath(new URL('../../../examples/pia-image-to-video.json', import.meta.url));
const SAMPLER = '7';

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

/** The server's own answer for a library path (not through the editor). */
async function server<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${session.server.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

interface Stored {
  revision: number;
  document: GraphDocument;
}

const stored = (name: string, revision?: number) =>
  server<Stored>(`/api/graphs/${encodeURIComponent(name)}${revision === undefined ? '' : `?revision=${revision}`}`).then((r) => r.body);

async function fresh(): Promise<Page> {
  ({ context, page } = await openEditor(session));
  await page.waitForFunction((n) => Object.keys(window.__piagraph!.document().nodes).length === n, Object.keys(example.nodes).length);
  await showAll(page);
  return page;
}

const dialog = () => page.locator('[data-testid="library"]');
const tabLabels = () => page.locator('[data-testid="tab-label"]').allTextContents();
const activeLabel = () => page.locator('[data-testid="tab"][data-active="true"] [data-testid="tab-label"]').textContent();
const steps = () => readDocument(page).then((d) => d.nodes[SAMPLER]!.values.steps);
const dirtyTabs = () => page.locator('[data-testid="tab-dirty"]').count();

async function setSteps(value: number): Promise<void> {
  const input = page.locator(`[data-node-id="${SAMPLER}"] [data-testid="control-steps"] input`);
  await input.fill(String(value));
  await input.press('Enter');
  await page.waitForFunction(([id, v]) => window.__piagraph!.document().nodes[id!]?.values.steps === v, [SAMPLER, value] as const);
}

async function clearNotice(): Promise<void> {
  await page.evaluate(() => window.__piagraph!.app.ui.update({ notice: undefined }));
}

async function waitNotice(text: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector('[data-testid="notice"]')?.textContent?.includes(t), text);
}

describe('graph library', () => {
  it('saves a graph under a name, saves new revisions, lists them, and opens an older revision in a tab to restore it', async () => {
    await fresh();
    const original = example.nodes[SAMPLER]!.values.steps;

    // A tab tied to no library graph: Save to library asks for a name, offering the graph's title.
    await page.locator('[data-testid="library-save"]').click();
    await dialog().waitFor();
    await expect(page.locator('[data-testid="library-name"]').inputValue()).resolves.toBe('PIA: image to video');
    await page.locator('[data-testid="library-name"]').fill('walk cycle');
    await page.locator('[data-testid="library-save-as"]').click();
    await dialog().waitFor({ state: 'detached' });
    await waitNotice('Saved "walk cycle" to the library (revision 1)');
    expect(await activeLabel()).toBe('walk cycle');
    expect(await dirtyTabs()).toBe(0);
    const first = await stored('walk cycle');
    expect(first.revision).toBe(1);
    expect(first.document.nodes[SAMPLER]!.values.steps).toBe(original);

    // An edit, then Save to library again: revision 2, based on 1, without a question.
    await setSteps(12);
    expect(await dirtyTabs()).toBe(1);
    await clearNotice();
    await page.locator('[data-testid="library-save"]').click();
    await waitNotice('Saved "walk cycle" to the library (revision 2)');
    expect(await dirtyTabs()).toBe(0);
    expect((await stored('walk cycle')).document.nodes[SAMPLER]!.values.steps).toBe(12);
    expect((await stored('walk cycle', 1)).document.nodes[SAMPLER]!.values.steps).toBe(original);

    // The dialog lists the graph with its update time and revision count, and its revisions on request.
    await page.locator('[data-testid="library-button"]').click();
    const row = page.locator('[data-testid="library-row"][data-name="walk cycle"]');
    await row.waitFor();
    await expect(row.locator('[data-testid="library-revisions-toggle"]').textContent()).resolves.toMatch(/^2 /);
    const updated = await server<{ graphs: { name: string; updated_at: number }[] }>('/api/graphs');
    const updatedAt = updated.body.graphs.find((g) => g.name === 'walk cycle')!.updated_at;
    await expect(row.locator('[data-testid="library-row-updated"]').textContent()).resolves.toBe(
      await page.evaluate((ms) => new Date(ms).toLocaleString(), updatedAt),
    );
    await row.locator('[data-testid="library-revisions-toggle"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="library-revision"]').length === 2);
    expect(await page.locator('[data-testid="library-revision"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-revision')))).toEqual(['2', '1']);
    await screenshot(page, 'library-dialog');

    // Revision 1 opens in a tab of its own, labelled with its revision.
    await page.locator('[data-testid="library-revision"][data-revision="1"] [data-testid="library-open-revision"]').click();
    await dialog().waitFor({ state: 'detached' });
    await page.waitForFunction((v) => window.__piagraph!.document().nodes['7']?.values.steps === v, original);
    expect(await tabLabels()).toEqual(['walk cycle', 'walk cycle @1']);
    await screenshot(page, 'library-old-revision-tab');

    // Saving it restores it: it becomes revision 3, and the tab is tied to the current revision.
    await clearNotice();
    await page.locator('[data-testid="library-save"]').click();
    await waitNotice('Saved "walk cycle" to the library (revision 3)');
    expect(await tabLabels()).toEqual(['walk cycle', 'walk cycle']);
    expect((await stored('walk cycle')).document.nodes[SAMPLER]!.values.steps).toBe(original);

    // Opening the graph a tab already shows at its current revision shows that tab instead of a third.
    await page.locator('[data-testid="tab"]').first().click();
    await page.locator('[data-testid="library-button"]').click();
    await page.locator('[data-testid="library-row"][data-name="walk cycle"] [data-testid="library-open"]').click();
    await dialog().waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-testid="tab"]').count()).toBe(2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tab"]')[1]?.getAttribute('data-active') === 'true');
    expect(await steps()).toBe(original);
  });

  it('asks before replacing a graph of the same name or a revision saved elsewhere, and reads refusals as sentences', async () => {
    await fresh();
    const base = await server<Stored>('/api/graphs/clash', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...example, metadata: { title: 'saved by someone else' } }),
    });
    expect(base.status).toBe(201);

    // Save as onto an existing name: a question naming the graph and its revision; Cancel saves nothing.
    await page.locator('[data-testid="library-button"]').click();
    await page.locator('[data-testid="library-name"]').fill('clash');
    await page.locator('[data-testid="library-save-as"]').click();
    const confirm = page.locator('[data-testid="confirm-dialog"]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('A graph named "clash" is already in the library (revision 1). Replace it with this graph?');
    await screenshot(page, 'library-name-clash');
    await page.locator('[data-testid="confirm-cancel"]').click();
    await expect(dialog().isVisible()).resolves.toBe(true);
    expect((await stored('clash')).revision).toBe(1);

    // Replace: revision 2 is this graph, revision 1 stays.
    await page.locator('[data-testid="library-save-as"]').click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await dialog().waitFor({ state: 'detached' });
    expect((await stored('clash')).revision).toBe(2);
    expect((await stored('clash')).document.metadata.title).toBe('PIA: image to video');
    expect((await stored('clash', 1)).document.metadata.title).toBe('saved by someone else');

    // Someone saves revision 3 elsewhere; this tab (based on 2) asks before replacing it.
    const elsewhere = await server<Stored>('/api/graphs/clash', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'if-match': '"2"' },
      body: JSON.stringify({ ...example, metadata: { title: 'newer elsewhere' } }),
    });
    expect(elsewhere.status).toBe(200);
    await setSteps(11);
    await page.locator('[data-testid="library-save"]').click();
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('"clash" was saved elsewhere after revision 2, which this tab is based on; the library is at revision 3 now.');
    await page.locator('[data-testid="confirm-ok"]').click();
    await waitNotice('Saved "clash" to the library (revision 4)');
    expect((await stored('clash')).document.nodes[SAMPLER]!.values.steps).toBe(11);
    expect((await stored('clash', 3)).document.metadata.title).toBe('newer elsewhere');

    // A name the server refuses: its reason as a sentence in the dialog, no JSON.
    await page.locator('[data-testid="library-button"]').click();
    await page.locator('[data-testid="library-name"]').fill('walks/left');
    await page.locator('[data-testid="library-save-as"]').click();
    const error = page.locator('[data-testid="library-error"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('Cannot save "walks/left" to the library: Graph name "walks/left" must not contain slashes or control characters');
    await screenshot(page, 'library-refused-name');

    // A graph deleted after the list was shown: opening it says so.
    await page.locator('[data-testid="library-close"]').click();
    await server('/api/graphs/gone', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(example) });
    await page.locator('[data-testid="library-button"]').click();
    await page.locator('[data-testid="library-row"][data-name="gone"]').waitFor();
    expect((await server('/api/graphs/gone', { method: 'DELETE' })).status).toBe(200);
    await page.locator('[data-testid="library-row"][data-name="gone"] [data-testid="library-open"]').click();
    await error.waitFor();
    expect(await error.textContent()).toBe('Cannot open "gone": No graph named "gone"');

    // A proxy's error page instead of the list: its text, not its HTML.
    await page.locator('[data-testid="library-close"]').click();
    await page.route('**/api/graphs', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1><p>The upstream server is not answering.</p></body></html>' }),
    );
    await page.locator('[data-testid="library-button"]').click();
    await error.waitFor();
    expect(await error.textContent()).toBe('Cannot list the library: 502 Bad Gateway The upstream server is not answering.');
    await page.unroute('**/api/graphs');
    expect(await noticeText(page)).not.toContain('{');
  });

  it('opens a library graph into an untouched empty tab, and a graph with unknown node types not at all', async () => {
    await fresh();
    const unknown = { ...example, nodes: { ...example.nodes, '99': { id: '99', classType: 'NoSuchNode', position: { x: 0, y: 0 }, values: {} } } };
    await server('/api/graphs/broken', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(unknown) });
    await server('/api/graphs/plain', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...example, metadata: { title: 'Plain' } }) });
    await page.locator('[data-testid="tab-new"]').click();
    await expect.poll(() => tabLabels()).toEqual(['PIA: image to video', 'Untitled']);

    await page.locator('[data-testid="library-button"]').click();
    await page.locator('[data-testid="library-row"][data-name="broken"] [data-testid="library-open"]').click();
    await page.locator('[data-testid="library-error"]').waitFor();
    expect(await page.locator('[data-testid="library-error"]').textContent()).toBe('Cannot open "broken": unknown node type: NoSuchNode (is the node pack installed?)');
    expect(await tabLabels()).toEqual(['PIA: image to video', 'Untitled']);

    await page.locator('[data-testid="library-row"][data-name="plain"] [data-testid="library-open"]').click();
    await dialog().waitFor({ state: 'detached' });
    await expect.poll(() => tabLabels()).toEqual(['PIA: image to video', 'plain']);
    expect((await readDocument(page)).metadata.title).toBe('Plain');

    // A graph opened from a file opens beside it, not over it.
    await openFile(page, 'other.json', { ...example, metadata: { title: 'From a file' } });
    await expect.poll(() => tabLabels()).toEqual(['PIA: image to video', 'plain', 'From a file']);
  });
});
