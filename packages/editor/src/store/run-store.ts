import type { ServerMessage } from '../api/messages.js';
import { initialRunState, reduceRun, type LocalAction, type RunState } from './run-state.js';

/** Preview frames are object URLs; frees the ones `next` no longer shows. */
export function revokeDropped(prev: RunState, next: RunState, revoke: (url: string) => void): void {
  for (const [id, s] of Object.entries(prev.nodes)) {
    if (s.previewUrl && next.nodes[id]?.previewUrl !== s.previewUrl) revoke(s.previewUrl);
  }
}

/** Frees every preview URL a run state holds (a tab that closes). */
export function revokeAll(state: RunState, revoke: (url: string) => void): void {
  revokeDropped(state, initialRunState, revoke);
}

/**
 * Holds the run state shown on nodes and in the toolbar: the active tab's (the others keep theirs, see `swap`).
 * Node components subscribe here (through `useSyncExternalStore`) rather than through React context; each node
 * re-renders only when its own slice changes because the reducer keeps other slices' identity.
 */
export class RunStore {
  private current: RunState = initialRunState;
  private readonly listeners = new Set<() => void>();

  constructor(readonly revoke: (url: string) => void = (url) => URL.revokeObjectURL(url)) {}

  get state(): RunState {
    return this.current;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch(action: ServerMessage | LocalAction): void {
    const prev = this.current;
    const next = reduceRun(prev, action);
    if (next === prev) return;
    this.current = next;
    revokeDropped(prev, next, this.revoke);
    for (const listener of this.listeners) listener();
  }

  /** Shows another tab's run state in place of the current one, which is returned (its previews stay alive). */
  swap(next: RunState): RunState {
    const previous = this.current;
    this.current = next;
    for (const listener of this.listeners) listener();
    return previous;
  }
}
