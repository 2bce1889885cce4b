/**
 * Loads a generated 500-node graph (copies of the PIA example) into the built editor in headless Chromium (served by the real server,
 * in-process) and reports how long the load takes and the frame rate while the canvas is panned with the mouse.
 * Run with `pnpm --filter @piagraph/editor bench`. Never run as a test.
 */
import { readFileSync } from 'node:fs';
import type { DocLink, DocNode, GraphDocument } from '@piagraph/graph-core';
import setup from '../e2e/global-setup.js';
import { openEditor, startSession } from '../e2e/harness.js';

const NODE_COUNT = 500;
const COPIES_PER_ROW = 6;
const EXAMPLE = new URL('../../../examples/pia-image-to-video.json', import.meta.url);

/**
 * Copies of the PIA example graph (9 nodes, 12 links each) on a grid until there are `count` nodes; the last
 * copy is cut short and keeps only the links between the nodes it has.
 */
function generateGraph(count: number): GraphDocument {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as GraphDocument;
  const exampleNodes = Object.values(example.nodes);
  const nodes: Record<string, DocNode> = {};
  const links: Record<string, DocLink> = {};
  for (let copy = 0; Object.keys(nodes).length < count; copy++) {
    const id = (old: string) => String(copy * 100 + Number(old));
    const dx = (copy % COPIES_PER_ROW) * 2000;
    const dy = Math.floor(copy / COPIES_PER_ROW) * 1000;
    for (const node of exampleNodes.slice(0, count - Object.keys(nodes).length)) {
      nodes[id(node.id)] = { ...node, id: id(node.id), position: { x: node.position.x + dx, y: node.position.y + dy } };
    }
    for (const link of Object.values(example.links)) {
      const [source, target] = [id(link.source.node), id(link.target.node)];
      if (!nodes[source] || !nodes[target]) continue;
      const linkId = id(link.id);
      links[linkId] = { ...link, id: linkId, source: { ...link.source, node: source }, target: { ...link.target, node: target } };
    }
  }
  return { format: 'piagraph', version: 1, metadata: { title: `${count} nodes` }, nodes, links };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  await setup();
  console.log(`editor build ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const session = await startSession();
  try {
    const { page } = await openEditor(session);
    const graph = generateGraph(NODE_COUNT);
    const links = Object.keys(graph.links).length;

    const start = Date.now();
    const syncMs = await page.evaluate(async (doc) => {
      const t = performance.now();
      await window.__piagraph!.load(doc);
      return performance.now() - t;
    }, graph);
    // Wires get their paths after their sockets are measured, a little after Rete holds the graph.
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="connection"] path[d]').length === n, links, { timeout: 120_000, polling: 100 });
    const loadMs = Date.now() - start;
    const rendered = await page.locator('[data-testid="node"]').count();
    const wires = await page.locator('[data-testid="connection"]').count();
    console.log(
      `load: ${NODE_COUNT} nodes, ${links} links → ${rendered} node elements, ${wires} wires: ` +
        `document in Rete after ${syncMs.toFixed(0)} ms, every wire drawn after ${loadMs} ms`,
    );

    // Each animation frame moves the camera by the same call the area's drag handler makes, so the figure is the
    // cost of panning itself, not of delivering synthetic pointer events.
    const panScript = (zoom: number, frames: number) => `(async () => {
      const handle = window.__piagraph.app.handle;
      await handle.setCamera({ x: 0, y: 0, zoom: ${zoom} });
      const area = handle.area.area;
      const times = [];
      await new Promise((done) => {
        let i = 0;
        function step(t) {
          times.push(t);
          if (i++ >= ${frames}) return done();
          const a = (i / ${frames}) * Math.PI * 2;
          void area.translate(-400 * (1 - Math.cos(a)) - 3 * i, -250 * Math.sin(a));
          requestAnimationFrame(step);
        }
        requestAnimationFrame(step);
      });
      const visible = [...document.querySelectorAll('[data-testid="node"]')].filter((n) => {
        const b = n.getBoundingClientRect();
        return b.right > 0 && b.left < innerWidth && b.bottom > 0 && b.top < innerHeight;
      }).length;
      return { times, visible };
    })()`;
    for (const [label, zoom] of [['first pan after load', 1], ['pan', 1], ['pan', 0.4], ['pan', 0.3]] as const) {
      const { times, visible } = (await page.evaluate(panScript(zoom, 180))) as { times: number[]; visible: number };
      const span = times[times.length - 1]! - times[0]!;
      const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
      const p95 = gaps[Math.floor(gaps.length * 0.95)] ?? 0;
      console.log(
        `${label} at zoom ${zoom} (${visible} nodes on screen): ${((times.length - 1) / (span / 1000)).toFixed(1)} frames/s, ` +
          `p95 frame time ${p95.toFixed(1)} ms`,
      );
    }
    console.log('(headless Chromium with --disable-gpu: software compositing, so figures are a lower bound for a desktop browser)');
  } finally {
    await session.close();
  }
}

await main();
