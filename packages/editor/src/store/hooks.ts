import { useMemo, useSyncExternalStore } from 'react';
import type { DocNode, GraphDocument } from '@piagraph/graph-core';
import type { DocumentStore } from '../document/store.js';
import type { RunStore } from './run-store.js';
import type { NodeRunState, RunState } from './run-state.js';

const IDLE: NodeRunState = { phase: 'idle' };

/** The whole document; re-renders on every change. */
export function useDocument(docs: DocumentStore): GraphDocument {
  return useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => docs.doc,
  );
}

/** One document node; re-renders only when that node's record changes (immer keeps the others' identity). */
export function useDocNode(docs: DocumentStore, id: string): DocNode | undefined {
  return useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => docs.doc.nodes[id],
  );
}

/** The document store's generation (see `DocumentStore.generation`); changes when another document is opened. */
export function useDocGeneration(docs: DocumentStore): number {
  return useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => docs.generation,
  );
}

/** Whether the document has unsaved changes. */
export function useDocumentDirty(docs: DocumentStore): boolean {
  return useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => docs.dirty,
  );
}

/** Whether the document has no nodes; re-renders only when that flips. */
export function useDocumentIsEmpty(docs: DocumentStore): boolean {
  return useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => Object.keys(docs.doc.nodes).length === 0,
  );
}

/** Per document: each node's linked input names as a sorted comma-joined key, computed once for all nodes. */
const linkedKeys = new WeakMap<GraphDocument, Map<string, string>>();

function linkedInputsKey(doc: GraphDocument, id: string): string {
  let keys = linkedKeys.get(doc);
  if (!keys) {
    const names = new Map<string, string[]>();
    for (const l of Object.values(doc.links)) {
      const list = names.get(l.target.node);
      if (list) list.push(l.target.input);
      else names.set(l.target.node, [l.target.input]);
    }
    keys = new Map([...names].map(([node, inputs]) => [node, inputs.sort().join(',')]));
    linkedKeys.set(doc, keys);
  }
  return keys.get(id) ?? '';
}

/**
 * The names of a node's inputs that a link feeds. The snapshot is a string, so a node re-renders only when its own
 * linked inputs change; the scan of the links is shared by every node (once per document, not once per node).
 */
export function useLinkedInputs(docs: DocumentStore, id: string): ReadonlySet<string> {
  const key = useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => linkedInputsKey(docs.doc, id),
  );
  return useMemo(() => new Set(key ? key.split(',') : []), [key]);
}

/** The whole run state. */
export function useRunState(runs: RunStore): RunState {
  return useSyncExternalStore(runs.subscribe, () => runs.state);
}

/** One node's run state. */
export function useNodeRun(runs: RunStore, id: string): NodeRunState {
  return useSyncExternalStore(runs.subscribe, () => runs.state.nodes[id] ?? IDLE);
}

/** How many times input files may have changed (uploads, finished runs): thumbnails of input pictures reload on it. */
export function useInputsRevision(runs: RunStore): number {
  return useSyncExternalStore(runs.subscribe, () => runs.state.inputsRevision);
}
