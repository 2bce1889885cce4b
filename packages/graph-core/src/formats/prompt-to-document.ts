import { walkUpstream } from '../graph-walk.js';
import { inputEntries, isLinkValue } from '../node-inputs.js';
import type { NodeRegistry } from '../node-registry.js';
import { ANY_TYPE } from '../socket-registry.js';
import type { ApiPrompt, LiteralValue } from '../types/api-prompt.js';
import { GRAPH_DOCUMENT_VERSION, type DocLink, type DocNode, type GraphDocument } from '../types/document.js';
import { parseApiPrompt } from './api-prompt.js';

/** Horizontal distance between layout columns, and the vertical gap between nodes of a column (pixels). */
const COLUMN_WIDTH = 360;
const ROW_GAP = 40;

/** A node's approximate height: a title bar plus one row per socket or widget. */
function estimatedHeight(inputCount: number, outputCount: number): number {
  return 60 + 26 * (inputCount + outputCount);
}

/**
 * A graph document from an API prompt: node ids, class types, titles and every input are kept (literal inputs
 * become `values`, link inputs become links typed by the source output when the registry knows it, else `*`), and
 * nodes are laid out in columns by topological depth (sources on the left). Cycles do not hang the layout.
 */
export function promptToDocument(json: ApiPrompt | unknown, registry?: NodeRegistry): GraphDocument {
  const prompt = parseApiPrompt(json);
  const ids = Object.keys(prompt);
  const deps = (id: string): string[] => {
    const sources: string[] = [];
    for (const value of Object.values(prompt[id]?.inputs ?? {})) {
      if (isLinkValue(value) && value[0] in prompt) sources.push(value[0]);
    }
    return sources;
  };
  const depth = new Map<string, number>();
  for (const id of walkUpstream(ids, deps).order) {
    let level = 0;
    for (const dep of deps(id)) level = Math.max(level, (depth.get(dep) ?? -1) + 1);
    depth.set(id, level);
  }

  const nodes: Record<string, DocNode> = {};
  const links: Record<string, DocLink> = {};
  const columnBottom: number[] = [];
  let nextLink = 1;
  for (const id of ids) {
    const api = prompt[id]!;
    const def = registry?.get(api.class_type);
    const values: Record<string, LiteralValue> = {};
    for (const [name, value] of Object.entries(api.inputs)) {
      if (isLinkValue(value)) {
        // A link to a node the prompt lacks cannot be drawn; validation would reject it anyway.
        if (!(value[0] in prompt)) continue;
        const linkId = String(nextLink++);
        const type = registry?.get(prompt[value[0]]?.class_type ?? '')?.outputs[value[1]]?.type ?? ANY_TYPE;
        links[linkId] = {
          id: linkId,
          source: { node: value[0], output: value[1] },
          target: { node: id, input: name },
          type,
        };
      } else {
        values[name] = value;
      }
    }
    const column = depth.get(id) ?? 0;
    const y = columnBottom[column] ?? 0;
    const inputCount = def ? inputEntries(def).length : Object.keys(api.inputs).length;
    columnBottom[column] = y + estimatedHeight(inputCount, def ? def.outputs.length : 1) + ROW_GAP;
    const node: DocNode = { id, classType: api.class_type, position: { x: column * COLUMN_WIDTH, y }, values };
    if (api._meta?.title !== undefined) node.title = api._meta.title;
    nodes[id] = node;
  }
  return { format: 'piagraph', version: GRAPH_DOCUMENT_VERSION, metadata: {}, nodes, links };
}
