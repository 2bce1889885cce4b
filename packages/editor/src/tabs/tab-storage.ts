import { parseGraphDocument, type GraphDocument } from '@piagraph/graph-core';
import type { LibraryLink } from './tab-list.js';

/**
 * The open tabs kept in the browser (localStorage), so a reload brings every tab back: an index (order, shown tab,
 * each tab's camera, library link and prompt ids) under one key, and each tab's graph under a key of its own, so
 * an edit rewrites one graph and not all of them.
 */

/** The index of the open tabs. */
export const TABS_KEY = 'piagraph.tabs.v1';
/** Each tab's graph is stored under this prefix and the tab's id; `.dirty` beside it marks unsaved changes. */
export const TAB_DOC_PREFIX = 'piagraph.tab.v1.';
/** The single autosave of the editor before tabs, taken over as the first tab when no tabs are stored. */
export const LEGACY_AUTOSAVE_KEY = 'piagraph.autosave.v1';
const LEGACY_DIRTY_KEY = 'piagraph.autosave.v1.dirty';

/** How many of a tab's prompt ids are kept, so a run still going after a reload shows on its tab again. */
const OWNED_KEPT = 20;

export interface Camera {
  x: number;
  y: number;
  zoom: number;
}

/** What the index keeps of one tab. */
export interface StoredTab {
  id: string;
  library?: LibraryLink;
  camera?: Camera;
  /** Prompt ids queued from the tab (newest last). */
  owned?: string[];
}

export interface StoredTabs {
  active: string;
  tabs: StoredTab[];
}

/** A tab read back: its index entry with its graph. */
export interface RestoredTab extends StoredTab {
  doc: GraphDocument;
  dirty: boolean;
}

export interface RestoredTabs {
  active: string;
  tabs: RestoredTab[];
}

export function tabDocKey(id: string): string {
  return `${TAB_DOC_PREFIX}${id}`;
}

function tabDirtyKey(id: string): string {
  return `${TAB_DOC_PREFIX}${id}.dirty`;
}

const TAB_ID = /^[A-Za-z0-9_-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function readLibrary(value: unknown): LibraryLink | undefined {
  if (!isRecord(value) || typeof value['name'] !== 'string' || value['name'] === '') return undefined;
  const { revision, opened } = value;
  if (!isCount(revision) || !isCount(opened)) return undefined;
  return { name: value['name'], revision, opened };
}

function readCamera(value: unknown): Camera | undefined {
  if (!isRecord(value)) return undefined;
  const { x, y, zoom } = value;
  if (![x, y, zoom].every((n) => typeof n === 'number' && Number.isFinite(n)) || (zoom as number) <= 0) return undefined;
  return { x: x as number, y: y as number, zoom: zoom as number };
}

/**
 * Reads a stored index, keeping every well-formed tab and dropping the rest (a damaged entry costs that tab, not
 * all of them); undefined when nothing usable is there. The shown tab falls back to the first.
 */
export function parseTabIndex(json: unknown): StoredTabs | undefined {
  if (!isRecord(json) || !Array.isArray(json['tabs'])) return undefined;
  const tabs: StoredTab[] = [];
  for (const raw of json['tabs'] as unknown[]) {
    if (!isRecord(raw) || typeof raw['id'] !== 'string' || !TAB_ID.test(raw['id'])) continue;
    if (tabs.some((t) => t.id === raw['id'])) continue;
    const tab: StoredTab = { id: raw['id'] };
    const library = readLibrary(raw['library']);
    if (library) tab.library = library;
    const camera = readCamera(raw['camera']);
    if (camera) tab.camera = camera;
    if (Array.isArray(raw['owned'])) {
      const owned = (raw['owned'] as unknown[]).filter((p): p is string => typeof p === 'string' && p.length > 0 && p.length <= 100);
      if (owned.length) tab.owned = owned.slice(-OWNED_KEPT);
    }
    tabs.push(tab);
  }
  if (tabs.length === 0) return undefined;
  const active = typeof json['active'] === 'string' && tabs.some((t) => t.id === json['active']) ? json['active'] : tabs[0]!.id;
  return { active, tabs };
}

function readDocument(storage: Storage, key: string): GraphDocument | undefined {
  try {
    const text = storage.getItem(key);
    return text ? parseGraphDocument(JSON.parse(text)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tabs stored by the last session, each with its graph; a tab whose graph is missing or unreadable is left
 * out. Without stored tabs, the autosave of the editor before tabs comes back as one tab (`newId` names it).
 */
export function readTabs(storage: Storage, newId: () => string): RestoredTabs | undefined {
  let index: StoredTabs | undefined;
  try {
    index = parseTabIndex(JSON.parse(storage.getItem(TABS_KEY) ?? 'null'));
  } catch {
    index = undefined;
  }
  const tabs: RestoredTab[] = [];
  for (const tab of index?.tabs ?? []) {
    const doc = readDocument(storage, tabDocKey(tab.id));
    if (doc) tabs.push({ ...tab, doc, dirty: storage.getItem(tabDirtyKey(tab.id)) === '1' });
  }
  if (tabs.length > 0) {
    const active = tabs.some((t) => t.id === index!.active) ? index!.active : tabs[0]!.id;
    return { active, tabs };
  }
  const legacy = readDocument(storage, LEGACY_AUTOSAVE_KEY);
  if (!legacy) return undefined;
  const id = newId();
  return { active: id, tabs: [{ id, doc: legacy, dirty: storage.getItem(LEGACY_DIRTY_KEY) === '1' }] };
}

/** Stores the index. A full or unavailable storage is ignored: autosave never fails an action. */
export function writeTabIndex(storage: Storage, index: StoredTabs): void {
  const tabs = index.tabs.map((t) => (t.owned ? { ...t, owned: t.owned.slice(-OWNED_KEPT) } : t));
  try {
    storage.setItem(TABS_KEY, JSON.stringify({ active: index.active, tabs }));
  } catch {
    // Quota exceeded or storage disabled.
  }
}

export function writeTabDocument(storage: Storage, id: string, doc: GraphDocument, dirty: boolean): void {
  try {
    storage.setItem(tabDocKey(id), JSON.stringify(doc));
    if (dirty) storage.setItem(tabDirtyKey(id), '1');
    else storage.removeItem(tabDirtyKey(id));
  } catch {
    // Quota exceeded or storage disabled.
  }
}

export function removeTabDocument(storage: Storage, id: string): void {
  try {
    storage.removeItem(tabDocKey(id));
    storage.removeItem(tabDirtyKey(id));
  } catch {
    // Storage disabled.
  }
}

/**
 * Removes graphs of tabs that are no longer open (left by a session that ended before it could clean up) and the
 * pre-tabs autosave once its graph lives in a tab.
 */
export function removeStaleTabDocuments(storage: Storage, open: ReadonlySet<string>): void {
  try {
    const stale: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(TAB_DOC_PREFIX)) continue;
      const id = key.slice(TAB_DOC_PREFIX.length).replace(/\.dirty$/, '');
      if (!open.has(id)) stale.push(key);
    }
    for (const key of stale) storage.removeItem(key);
    storage.removeItem(LEGACY_AUTOSAVE_KEY);
    storage.removeItem(LEGACY_DIRTY_KEY);
  } catch {
    // Storage disabled.
  }
}

/**
 * Writes tabs' graphs shortly after their last change, so a burst of edits (a drag, typing) writes once per tab;
 * `flush` writes what is pending at once (before the page goes).
 */
export function tabAutosaver(storage: Storage, delayMs = 250): { save(id: string, doc: GraphDocument, dirty: boolean): void; forget(id: string): void; flush(): void } {
  const pending = new Map<string, { doc: GraphDocument; dirty: boolean }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const [id, { doc, dirty }] of pending) writeTabDocument(storage, id, doc, dirty);
    pending.clear();
  };
  return {
    save(id, doc, dirty) {
      pending.set(id, { doc, dirty });
      if (timer === undefined) timer = setTimeout(flush, delayMs);
    },
    forget(id) {
      pending.delete(id);
      removeTabDocument(storage, id);
    },
    flush,
  };
}
