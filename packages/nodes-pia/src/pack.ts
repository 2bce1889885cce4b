import type { AnyNodeDefinition } from '@piagraph/graph-core';

/** Where the pack finds and writes files; the server derives them from its data root. */
export interface PiaPackOptions {
  /** `models/` root: `checkpoints/`, `pia/`, `vae/`, and the built-graph cache `.cache/`. */
  modelsDir: string;
  inputDir: string;
  outputDir: string;
  tempDir: string;
  /** onnxruntime execution provider. */
  device?: 'cpu' | 'cuda';
}

/**
 * The node definitions of the PIA pack, bound to the host's folders.
 * The nodes themselves land with the node-pack issue; until then the pack registers nothing.
 */
export function createPiaNodes(_options: PiaPackOptions): AnyNodeDefinition[] {
  return [];
}
