import { detectGraphFormat } from '@piagraph/graph-core';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The graph as parsed JSON, out of a JSON string and a `POST /prompt`-style `{ prompt: … }` wrapper, as `toApiPrompt` reads it. */
function graphValue(graph: unknown): unknown {
  let value = graph;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return isObject(value) && isObject(value['prompt']) && detectGraphFormat(value) === undefined ? value['prompt'] : value;
}

/**
 * `extra_data` with the editable graph a job was submitted as, where output nodes look for it (ComfyUI's
 * `EXTRA_PNGINFO`): a piagraph graph document under `extra_pnginfo.piagraph`, a ComfyUI UI workflow under
 * `extra_pnginfo.workflow` (where ComfyUI's frontend puts it). An API prompt adds nothing: outputs embed the prompt
 * anyway. What the client sent in `extra_pnginfo` is kept, and wins over the submitted graph.
 */
export function withSubmittedGraph(extraData: Record<string, unknown>, graph: unknown): Record<string, unknown> {
  const value = graphValue(graph);
  const format = detectGraphFormat(value);
  const key = format === 'piagraph-document' ? 'piagraph' : format === 'comfyui-workflow' ? 'workflow' : undefined;
  if (key === undefined) return extraData;
  const info = isObject(extraData['extra_pnginfo']) ? extraData['extra_pnginfo'] : {};
  if (info[key] !== undefined) return extraData;
  return { ...extraData, extra_pnginfo: { ...info, [key]: value } };
}
