/**
 * What an output file carries about the graph that produced it. Each field is parsed JSON, present only when the
 * file held that key: `workflow` is a ComfyUI UI workflow, `prompt` an API-format prompt, `graph` a piagraph
 * graph document (stored under the key `piagraph`).
 */
export interface EmbeddedGraph {
  workflow?: unknown;
  prompt?: unknown;
  graph?: unknown;
}

/** The containers {@link extractEmbeddedGraph} recognises, by their leading bytes. */
export type EmbeddedGraphContainer = 'png' | 'webp' | 'gif' | 'mp4' | 'matroska';
