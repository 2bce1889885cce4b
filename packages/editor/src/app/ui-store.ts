import { useSyncExternalStore } from 'react';
import type { JobSummary, QueueSnapshot } from '../api/http.js';

/** One entry of a context menu: an action, or a submenu opened on hover. */
export interface MenuItem {
  label: string;
  key: string;
  action?: () => void;
  items?: MenuItem[];
  disabled?: boolean;
}

/** What a wire dropped on empty canvas came from (the search offers nodes that connect to it). */
export interface WireEnd {
  node: string;
  side: 'input' | 'output';
  key: string;
  type: string;
}

/** Application chrome state: what the toolbar, search box and queue panel show. */
export interface UiState {
  /** Where the node search box is open (client point) and where the node will go (graph point). */
  search?: { client: { x: number; y: number }; graph: { x: number; y: number }; wire?: WireEnd };
  /** An open context menu. */
  menu?: { client: { x: number; y: number }; items: MenuItem[] };
  /** A transient notice (file errors, server errors). */
  notice?: { text: string; kind: 'info' | 'error' };
  queue: QueueSnapshot;
  /** Recent jobs, newest first (the history panel). */
  history: JobSummary[];
  /** How many times the Queue button queues the graph (ComfyUI's batch count). */
  batchCount: number;
  paused: boolean;
  connected: boolean;
  /** Node definitions are loaded and the canvas is ready. */
  ready: boolean;
  /** Fatal start-up error. */
  failure?: string;
  /** The settings dialog is open. */
  settingsOpen?: boolean;
  /** The library dialog is open; `saving` focuses its name field (Save to library on a tab tied to no graph). */
  library?: { saving: boolean };
  /** A question waiting for the user's answer (see `EditorApp.ask`). */
  confirm?: { text: string; ok: string; answer(ok: boolean): void };
}

/** A tiny observable holder for `UiState`. */
export class UiStore {
  private current: UiState = { queue: { running: [], pending: [] }, history: [], batchCount: 1, paused: false, connected: false, ready: false };
  private readonly listeners = new Set<() => void>();

  get state(): UiState {
    return this.current;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(patch: Partial<UiState>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener();
  }
}

/** Subscribes a component to the UI state. */
export function useUi(store: UiStore): UiState {
  return useSyncExternalStore(store.subscribe, () => store.state);
}
