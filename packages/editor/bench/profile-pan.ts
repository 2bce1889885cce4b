/**
 * Traces one pan of a generated graph in the built editor (or the litegraph page with `--litegraph`) and prints
 * where the renderer's time went, by trace event name. A diagnostic for the canvas benchmark; never run as a test.
 * Usage: tsx --conditions=source bench/profile-pan.ts [nodes] [zoom] [--litegraph]
 */
import type { Page } from 'playwright-core';
import setup from '../e2e/global-setup.js';
import { openEditor, startSession } from '../e2e/harness.js';
import { generateGraph } from './graphs.js';
import { LITEGRAPH_CAMERA, loadInLitegraph, openLitegraph } from './litegraph-page.js';

const [count = '500', zoom = '0.5'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const litegraph = process.argv.includes('--litegraph');

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  tdur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

async function pan(page: Page, camera: string, k: number): Promise<void> {
  await page.evaluate(`(async () => {
    const setCamera = ${camera};
    setCamera(0, 0, ${k});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await new Promise((done) => {
      let i = 0;
      function step() {
        if (i++ >= 120) return done();
        const a = (i / 120) * Math.PI * 2;
        setCamera(-400 * (1 - Math.cos(a)) - 3 * i, -250 * Math.sin(a), ${k});
        requestAnimationFrame(step);
      }
      requestAnimationFrame(step);
    });
  })()`);
}

await setup();
const session = await startSession();
try {
  const doc = generateGraph(Number(count));
  let page: Page;
  let camera: string;
  if (litegraph) {
    const info = await (await fetch(`${session.server.url}/object_info`)).json();
    page = await openLitegraph(session.browser, { width: 1400, height: 860 }, info);
    await loadInLitegraph(page, doc);
    camera = LITEGRAPH_CAMERA;
  } else {
    ({ page } = await openEditor(session));
    await page.evaluate(async (d) => {
      await window.__piagraph!.load(d);
      await window.__piagraph!.rendered();
    }, doc);
    camera = '(x, y, k) => window.__piagraph.setCamera({ x, y, zoom: k })';
  }
  if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
  if (process.env.FREEZE) await page.evaluate(() => { (window.__piagraph!.app.canvas as unknown as { updateVisible(): void }).updateVisible = () => {}; });
  await session.browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.invalidationTracking', 'cc', 'viz'] });
  await pan(page, camera, Number(zoom));
  const trace = JSON.parse((await session.browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  const threads = new Map<string, string>();
  for (const e of trace.traceEvents) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const totals = new Map<string, { ms: number; cpu: number; n: number }>();
  for (const e of trace.traceEvents) {
    if (e.ph !== 'X' || !e.dur) continue;
    const key = `${threads.get(`${e.pid}:${e.tid}`) ?? e.tid} | ${e.name}`;
    const t = totals.get(key) ?? { ms: 0, cpu: 0, n: 0 };
    t.ms += e.dur / 1000;
    t.cpu += (e.tdur ?? 0) / 1000;
    t.n++;
    totals.set(key, t);
  }
  if (process.env.SHOW) {
    const shown = new Map<string, number>();
    for (const e of trace.traceEvents) {
      if (!process.env.SHOW.split(',').includes(e.name)) continue;
      const key = JSON.stringify(e.args).slice(0, 600);
      shown.set(key, (shown.get(key) ?? 0) + 1);
    }
    for (const [k, n] of [...shown].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(n, k);
  }
  for (const [k, t] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(`${t.ms.toFixed(0).padStart(7)} ms wall ${t.cpu.toFixed(0).padStart(6)} ms cpu ${String(t.n).padStart(6)}x  ${k}`);
} finally {
  await session.close();
}
