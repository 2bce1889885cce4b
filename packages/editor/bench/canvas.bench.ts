/**
 * piagraph's canvas side by side with ComfyUI's (a bare `@comfyorg/litegraph` page): the same generated graphs
 * (100, 500 and 2,000 nodes, copies of the PIA example) are loaded and panned in the same headless Chromium, in the
 * built editor (served by the real server, in-process) and in litegraph. Prints load time (median of `RUNS`), pan
 * frames per second and the 95th percentile frame time for both, and the ratios.
 * Run with `pnpm --filter @piagraph/editor bench`. Never run as a test.
 */
import type { Browser, Page } from 'playwright-core';
import type { GraphDocument } from '@piagraph/graph-core';
import setup from '../e2e/global-setup.js';
import { openEditor, startSession, type Session } from '../e2e/harness.js';
import { generateGraph } from './graphs.js';
import { LITEGRAPH_CAMERA, LITEGRAPH_VERSION, loadInLitegraph, openLitegraph } from './litegraph-page.js';

const SIZES = (process.env.BENCH_SIZES ?? '100,500,2000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PAN_FRAMES = 180;
/** Zooms the pans run at: 1 (widgets readable) and 0.5 (an overview). */
const PAN_ZOOMS = (process.env.BENCH_ZOOMS ?? '1,0.6,0.3').split(',').map(Number);

interface Pan {
  fps: number;
  p95: number;
}

interface Figures {
  loadMs: number;
  pans: Pan[];
}

/**
 * Moves the camera once per animation frame along the same path in both pages (a loop plus a drift, about 1.5
 * screens wide) with the page's own camera call, so the figure is the cost of drawing the moved view, not of
 * delivering synthetic pointer events. Returns frames per second and the 95th percentile frame time.
 */
async function measurePan(page: Page, setCamera: string, zoom: number): Promise<Pan> {
  const times = (await page.evaluate(`(async () => {
    const setCamera = ${setCamera};
    setCamera(0, 0, ${zoom});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const times = [];
    await new Promise((done) => {
      let i = 0;
      function step(t) {
        times.push(t);
        if (i++ >= ${PAN_FRAMES}) return done();
        const a = (i / ${PAN_FRAMES}) * Math.PI * 2;
        setCamera(-400 * (1 - Math.cos(a)) - 3 * i, -250 * Math.sin(a), ${zoom});
        requestAnimationFrame(step);
      }
      requestAnimationFrame(step);
    });
    return times;
  })()`)) as number[];
  const span = times[times.length - 1]! - times[0]!;
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i]!)
    .sort((a, b) => a - b);
  return { fps: (times.length - 1) / (span / 1000), p95: gaps[Math.floor(gaps.length * 0.95)] ?? 0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** piagraph: a fresh editor page per run; load = from `load(doc)` to the graph fully drawn (`rendered()`). */
async function benchPiagraph(session: Session, doc: GraphDocument): Promise<Figures> {
  const loads: number[] = [];
  let pans: Pan[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { context, page } = await openEditor(session);
    const loadMs = await page.evaluate(async (d) => {
      const t = performance.now();
      await window.__piagraph!.load(d);
      await window.__piagraph!.rendered();
      return performance.now() - t;
    }, doc);
    loads.push(loadMs);
    if (run === RUNS - 1) {
      const camera = '(x, y, k) => window.__piagraph.setCamera({ x, y, zoom: k })';
      pans = [];
      for (const zoom of PAN_ZOOMS) pans.push(await measurePan(page, camera, zoom));
    }
    await context.close();
  }
  return { loadMs: median(loads), pans };
}

/** litegraph: a fresh page per run; load = from the first node created to the first frame after the draw. */
async function benchLitegraph(browser: Browser, objectInfo: unknown, doc: GraphDocument): Promise<Figures> {
  const loads: number[] = [];
  let pans: Pan[] = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await openLitegraph(browser, { width: 1400, height: 860 }, objectInfo);
    loads.push(await loadInLitegraph(page, doc));
    if (run === RUNS - 1) {
      pans = [];
      for (const zoom of PAN_ZOOMS) pans.push(await measurePan(page, LITEGRAPH_CAMERA, zoom));
    }
    await page.context().close();
  }
  return { loadMs: median(loads), pans };
}

const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  const t0 = performance.now();
  await setup();
  console.log(`editor build ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const session = await startSession();
  try {
    const objectInfo = await (await fetch(`${session.server.url}/object_info`)).json();
    console.log(`piagraph editor vs @comfyorg/litegraph ${LITEGRAPH_VERSION}, headless Chromium 1400x860, load median of ${RUNS}, pan ${PAN_FRAMES} frames`);
    for (const size of SIZES) {
      const doc = generateGraph(size);
      const ours = await benchPiagraph(session, doc);
      const theirs = await benchLitegraph(session.browser, objectInfo, doc);
      console.log(`\n${size} nodes, ${Object.keys(doc.links).length} links`);
      console.log(
        `  load        piagraph ${f1(ours.loadMs).padStart(8)} ms   litegraph ${f1(theirs.loadMs).padStart(8)} ms   ratio ${(ours.loadMs / theirs.loadMs).toFixed(2)}x`,
      );
      PAN_ZOOMS.forEach((zoom, i) => {
        const a = ours.pans[i]!;
        const b = theirs.pans[i]!;
        console.log(
          `  pan zoom ${zoom.toFixed(1)} piagraph ${f1(a.fps).padStart(5)} fps p95 ${f1(a.p95).padStart(6)} ms   ` +
            `litegraph ${f1(b.fps).padStart(5)} fps p95 ${f1(b.p95).padStart(6)} ms   fps ratio ${(a.fps / b.fps).toFixed(2)}x`,
        );
      });
    }
    console.log('\n(headless Chromium with --disable-gpu: software rendering, so figures are a lower bound for a desktop browser)');
  } finally {
    await session.close();
  }
}

await main();
