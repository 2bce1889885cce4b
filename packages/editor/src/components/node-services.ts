import type { LiteralValue } from '@piagraph/graph-core';
import type { DocumentStore } from '../document/store.js';
import type { SeedControl } from '../document/seed-control.js';
import type { RunStore } from '../store/run-store.js';

/**
 * What a node component may read and do. Nodes render in their own React roots, so they get this object from
 * the component factory rather than from React context.
 */
export interface NodeServices {
  docs: DocumentStore;
  runs: RunStore;
  /** Sets a widget value in the document of `generation` (dropped when another document has been opened since). */
  setValue(nodeId: string, input: string, value: LiteralValue, generation: number): void;
  setSeedControl(nodeId: string, input: string, control: SeedControl): void;
  uploadImage(nodeId: string, input: string, file: File): void;
}
