import type { ServerMessage } from '../api/messages.js';
import { initialRunState, reduceRun, type LocalAction, type RunState } from './run-state.js';

/**
 * Holds the run state shown on nodes and in the toolbar. Node components live in separate React roots, so they
 * subscribe here (through `useSyncExternalStore`) rather than through React context; each node re-renders only
 * when its own slice changes because the reducer keeps other slices' identity.
 */
export class RunStore {
  private current: RunState = initialRunState;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly revoke: (url: string) => void = (url) => URL.revokeObjectURL(url)) {}

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
    this.revokeDropped(prev, next);
    for (const listener of this.listeners) listener();
  }

  /** Preview frames are object URLs; free the ones no node shows any more. */
  private revokeDropped(prev: RunState, next: RunState): void {
    for (const [id, s] of Object.entries(prev.nodes)) {
      if (s.previewUrl && next.nodes[id]?.previewUrl !== s.previewUrl) this.revoke(s.previewUrl);
    }
  }
}
