import { useSyncExternalStore } from 'react';
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

/** Whether the document has no nodes; re-renders only when that flips. */
export function useDocumentIsEmpty(docs: DocumentStore): boolean {
  return useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () => Object.keys(docs.doc.nodes).length === 0,
  );
}

/** The names of a node's inputs that a link feeds, as a stable comma-joined key. */
export function useLinkedInputs(docs: DocumentStore, id: string): ReadonlySet<string> {
  const key = useSyncExternalStore(
    (cb) => docs.subscribe(cb),
    () =>
      Object.values(docs.doc.links)
        .filter((l) => l.target.node === id)
        .map((l) => l.target.input)
        .sort()
        .join(','),
  );
  return new Set(key ? key.split(',') : []);
}

/** The whole run state. */
export function useRunState(runs: RunStore): RunState {
  return useSyncExternalStore(runs.subscribe, () => runs.state);
}

/** One node's run state. */
export function useNodeRun(runs: RunStore, id: string): NodeRunState {
  return useSyncExternalStore(runs.subscribe, () => runs.state.nodes[id] ?? IDLE);
}
