/**
 * The open tabs as a list, without their graphs: which tabs exist, in which order, which one is shown, and which
 * library graph each one is tied to. Pure, so the rules (where a new tab goes, which tab shows after a close) are
 * tested on their own.
 */

/** The library graph a tab was opened from or last saved to. */
export interface LibraryLink {
  name: string;
  /** The library's revision the tab's graph is based on: the next save must name it (optimistic concurrency). */
  revision: number;
  /** The revision whose content was opened (older than `revision` when an old revision was opened to restore it). */
  opened: number;
}

export interface TabInfo {
  id: string;
  library?: LibraryLink;
}

export interface TabsState {
  tabs: readonly TabInfo[];
  active: string;
}

export type TabAction =
  /** A new tab right after the shown one, shown. */
  | { type: 'open'; id: string; library?: LibraryLink }
  /** Closes a tab; closing the last one leaves `replacement` (a fresh tab), as there is always a tab to show. */
  | { type: 'close'; id: string; replacement: string }
  | { type: 'activate'; id: string }
  /** Ties a tab to a library graph (after open or save), or unties it. */
  | { type: 'link'; id: string; library: LibraryLink | undefined }
  /** Moves a tab to another position (dragged in the strip). */
  | { type: 'move'; id: string; to: number };

export function singleTab(id: string): TabsState {
  return { tabs: [{ id }], active: id };
}

/** The tab shown after `id` closes: the one to its right, else the one to its left, else none. */
export function neighbourOf(state: TabsState, id: string): string | undefined {
  const index = state.tabs.findIndex((t) => t.id === id);
  if (index < 0) return undefined;
  return (state.tabs[index + 1] ?? state.tabs[index - 1])?.id;
}

/** Applies an action; unknown tab ids leave the state as it was (the same object). */
export function reduceTabs(state: TabsState, action: TabAction): TabsState {
  const index = state.tabs.findIndex((t) => t.id === action.id);
  switch (action.type) {
    case 'open': {
      if (index >= 0) return state;
      const at = state.tabs.findIndex((t) => t.id === state.active) + 1;
      const tab: TabInfo = action.library ? { id: action.id, library: action.library } : { id: action.id };
      return { tabs: [...state.tabs.slice(0, at), tab, ...state.tabs.slice(at)], active: action.id };
    }
    case 'close': {
      if (index < 0) return state;
      const tabs = state.tabs.filter((t) => t.id !== action.id);
      if (tabs.length === 0) return singleTab(action.replacement);
      const active = state.active === action.id ? neighbourOf(state, action.id)! : state.active;
      return { tabs, active };
    }
    case 'activate':
      return index < 0 || state.active === action.id ? state : { ...state, active: action.id };
    case 'link': {
      if (index < 0) return state;
      const { library: _old, ...rest } = state.tabs[index]!;
      const tab: TabInfo = action.library ? { ...rest, library: action.library } : rest;
      return { ...state, tabs: state.tabs.map((t, i) => (i === index ? tab : t)) };
    }
    case 'move': {
      if (index < 0) return state;
      const to = Math.max(0, Math.min(state.tabs.length - 1, Math.round(action.to)));
      if (to === index) return state;
      const tabs = state.tabs.filter((t) => t.id !== action.id);
      tabs.splice(to, 0, state.tabs[index]!);
      return { ...state, tabs };
    }
  }
}

/** The label a tab shows: its library name, else the graph's title, else "Untitled". */
export function tabLabel(tab: TabInfo, title: string | undefined): string {
  if (tab.library) return tab.library.opened !== tab.library.revision ? `${tab.library.name} @${tab.library.opened}` : tab.library.name;
  return title?.trim() || 'Untitled';
}
