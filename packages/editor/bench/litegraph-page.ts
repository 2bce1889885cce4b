/**
 * A bare litegraph page (`@comfyorg/litegraph`, the canvas ComfyUI's frontend draws with) holding the same graph as
 * the editor: one node type per `object_info` class, widgets drawn on the canvas for widget inputs (number, combo,
 * text, toggle, as ComfyUI's frontend makes them), slots for the others, links between the same slots.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { GraphDocument } from '@piagraph/graph-core';

const require = createRequire(import.meta.url);
/** The package folder (its `exports` map lists neither `package.json` nor the UMD file). */
const LITEGRAPH_DIR = dirname(dirname(require.resolve('@comfyorg/litegraph')));
const LITEGRAPH_UMD = readFileSync(join(LITEGRAPH_DIR, 'dist', 'litegraph.umd.js'), 'utf8');

/** The litegraph version the bench compares against. */
export const LITEGRAPH_VERSION = (JSON.parse(readFileSync(join(LITEGRAPH_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** Opens an empty litegraph canvas filling a page of `viewport` size, with a node type per `object_info` class. */
export async function openLitegraph(browser: Browser, viewport: { width: number; height: number }, objectInfo: unknown): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.setContent('<!doctype html><html><body style="margin:0;overflow:hidden;background:#202020"><canvas id="c"></canvas></body></html>');
  await page.addScriptTag({ content: LITEGRAPH_UMD });
  // tsx (esbuild keepNames) wraps the class below in a `__name(...)` helper that only exists in Node.
  await page.addScriptTag({ content: 'window.__name = (f) => f;' });
  await page.evaluate((info) => {
    type Spec = [unknown, Record<string, unknown>?];
    type Info = { display_name?: string; input?: { required?: Record<string, Spec>; optional?: Record<string, Spec> }; output?: string[]; output_name?: string[] };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const lg = (window as any).litegraph.js;
    const widgetKinds: Record<string, string> = { INT: 'number', FLOAT: 'number', STRING: 'text', BOOLEAN: 'toggle' };
    for (const [type, raw] of Object.entries(info as Record<string, Info>)) {
      class Node extends lg.LGraphNode {
        constructor() {
          super(raw.display_name ?? type);
          for (const group of [raw.input?.required ?? {}, raw.input?.optional ?? {}]) {
            for (const [name, [kind, options = {}]] of Object.entries(group)) {
              if (Array.isArray(kind) || kind === 'COMBO') {
                const values = Array.isArray(kind) ? kind : ((options.options as unknown[]) ?? []);
                this.addWidget('combo', name, values[0] ?? '', null, { values });
              } else if (widgetKinds[kind as string] && !options.forceInput) {
                const value = options.default ?? (kind === 'STRING' ? '' : kind === 'BOOLEAN' ? false : 0);
                this.addWidget(widgetKinds[kind as string], name, value, null, { min: options.min, max: options.max, step: options.step });
              } else {
                this.addInput(name, String(kind));
              }
            }
          }
          (raw.output ?? []).forEach((t, i) => this.addOutput(raw.output_name?.[i] ?? t, t));
          this.size = this.computeSize();
        }
      }
      lg.LiteGraph.registerNodeType(type, Node);
    }
    const canvas = document.getElementById('c') as HTMLCanvasElement;
    canvas.width = innerWidth;
    canvas.height = innerHeight;
    const graph = new lg.LGraph();
    const lgCanvas = new lg.LGraphCanvas(canvas, graph);
    Object.assign(window, { lgGraph: graph, lgCanvas, lg });
  }, objectInfo);
  return page;
}

/**
 * Builds `doc` in the litegraph page (nodes at the same positions with the same widget values, the same links) and
 * draws it; resolves with the milliseconds from the first node created to the first frame shown after the draw.
 */
export async function loadInLitegraph(page: Page, doc: GraphDocument): Promise<number> {
  return page.evaluate(async (d) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { lgGraph: graph, lgCanvas: canvas, lg } = window as any;
    const t = performance.now();
    graph.clear();
    const created = new Map<string, { inputs: { name: string }[]; widgets?: { name: string; value: unknown }[]; connect: (...a: unknown[]) => void }>();
    for (const node of Object.values(d.nodes)) {
      const n = lg.LiteGraph.createNode(node.classType);
      n.pos = [node.position.x, node.position.y];
      for (const w of n.widgets ?? []) if (w.name in node.values) w.value = node.values[w.name];
      graph.add(n);
      created.set(node.id, n);
    }
    for (const link of Object.values(d.links)) {
      const source = created.get(link.source.node)!;
      const target = created.get(link.target.node)!;
      const slot = target.inputs.findIndex((i) => i.name === link.target.input);
      if (slot >= 0) source.connect(link.source.output, target, slot);
    }
    canvas.ds.scale = 1;
    canvas.ds.offset = [0, 0];
    canvas.draw(true, true);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t;
  }, doc);
}

/** A camera setter for `measurePan` in the litegraph page: screen offset (x, y) in pixels at zoom k. */
export const LITEGRAPH_CAMERA = `(x, y, k) => {
  const c = window.lgCanvas;
  c.ds.scale = k;
  c.ds.offset = [x / k, y / k];
  c.setDirty(true, true);
}`;
