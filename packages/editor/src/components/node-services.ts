import type { LiteralValue } from '@piagraph/graph-core';
import type { NodeSchema } from '../defs/object-info.js';
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
  /** The schema of a class, if the server has it. */
  schema(classType: string): NodeSchema | undefined;
  /** An input's tooltip from `object_info`. */
  inputTooltip(classType: string, input: string): string | undefined;
  /** An output's name as `object_info` gives it. */
  outputName(classType: string, index: number): string;
  /** Ends editing a node's title: a new title, `''` for the class's name, undefined to cancel. */
  finishRename(nodeId: string, title: string | undefined): void;
}
