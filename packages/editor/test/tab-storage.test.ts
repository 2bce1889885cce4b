import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GraphDocument } from '@piagraph/graph-core';
import { emptyDocument } from '../src/document/edits.js';
import {
  LEGACY_AUTOSAVE_KEY,
  parseTabIndex,
  readTabs,
  removeStaleTabDocuments,
  tabAutosaver,
  tabDocKey,
  TABS_KEY,
  writeTabDocument,
  writeTabIndex,
} from '../src/tabs/tab-storage.js';
import { samplerDocument } from './fixtures/docs.js';

function memoryStorage(initial: Record<string, string> = {}): Storage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, v),
  };
}

const titled = (title: string): GraphDocument => ({ ...emptyDocument(), metadata: { title } });
const noId = () => {
  throw new Error('no new id expected');
};

afterEach(() => {
  vi.useRealTimers();
});

describe('tab storage', () => {
  it('brings back every tab with its graph, unsaved mark, camera, library link and prompt ids, and the shown tab', () => {
    const storage = memoryStorage();
    writeTabDocument(storage, 'one', samplerDocument(), false);
    writeTabDocument(storage, 'two', titled('B'), true);
    writeTabIndex(storage, {
      active: 'two',
      tabs: [
        { id: 'one', camera: { x: 10, y: -20, zoom: 0.5 }, owned: ['p1', 'p2'] },
        { id: 'two', library: { name: 'walk', revision: 4, opened: 2 } },
      ],
    });
    expect(readTabs(storage, noId)).toEqual({
      active: 'two',
      tabs: [
        { id: 'one', doc: samplerDocument(), dirty: false, camera: { x: 10, y: -20, zoom: 0.5 }, owned: ['p1', 'p2'] },
        { id: 'two', doc: titled('B'), dirty: true, library: { name: 'walk', revision: 4, opened: 2 } },
      ],
    });
  });

  it('drops damaged index entries and tabs whose graph is missing or unreadable, and falls back to the first tab', () => {
    expect(
      parseTabIndex({
        active: 'gone',
        tabs: [
          { id: 'ok', camera: { x: 1, y: 2, zoom: 0 }, library: { name: 'x', revision: -1, opened: 1 }, owned: [5, 'p'] },
          { id: 'has space' },
          { id: 'ok' },
          'junk',
          { id: 'b', camera: { x: 1, y: 2, zoom: 2 } },
        ],
      }),
    ).toEqual({ active: 'ok', tabs: [{ id: 'ok', owned: ['p'] }, { id: 'b', camera: { x: 1, y: 2, zoom: 2 } }] });
    expect(parseTabIndex({ tabs: [] })).toBeUndefined();
    expect(parseTabIndex('nope')).toBeUndefined();

    const storage = memoryStorage({ [tabDocKey('bad')]: '{"format":"nope"}', [tabDocKey('good')]: JSON.stringify(titled('G')) });
    writeTabIndex(storage, { active: 'bad', tabs: [{ id: 'missing' }, { id: 'bad' }, { id: 'good' }] });
    expect(readTabs(storage, noId)).toEqual({ active: 'good', tabs: [{ id: 'good', doc: titled('G'), dirty: false }] });
  });

  it('takes over the single autosave of the editor before tabs as one tab, and finds nothing in an empty storage', () => {
    const storage = memoryStorage({ [LEGACY_AUTOSAVE_KEY]: JSON.stringify(titled('Old')), 'piagraph.autosave.v1.dirty': '1' });
    expect(readTabs(storage, () => 'fresh')).toEqual({ active: 'fresh', tabs: [{ id: 'fresh', doc: titled('Old'), dirty: true }] });
    expect(readTabs(memoryStorage(), () => 'fresh')).toBeUndefined();
    expect(readTabs(memoryStorage({ [TABS_KEY]: '{broken' }), () => 'fresh')).toBeUndefined();
  });

  it('removes the graphs of tabs no longer open and the old autosave, and nothing else', () => {
    const storage = memoryStorage({
      [tabDocKey('open')]: '{}',
      [tabDocKey('closed')]: '{}',
      [`${tabDocKey('closed')}.dirty`]: '1',
      [LEGACY_AUTOSAVE_KEY]: '{}',
      'piagraph.settings.v1': '{}',
    });
    removeStaleTabDocuments(storage, new Set(['open']));
    expect([...storage.data.keys()].sort()).toEqual([tabDocKey('open'), 'piagraph.settings.v1'].sort());
  });

  it('writes a burst of changes to one tab once, each tab under its own key, at once on flush', () => {
    vi.useFakeTimers();
    const storage = memoryStorage();
    const writes: string[] = [];
    const setItem = storage.setItem;
    storage.setItem = (k, v) => {
      writes.push(k);
      setItem(k, v);
    };
    const save = tabAutosaver(storage, 250);
    save.save('a', titled('a1'), true);
    save.save('a', titled('a2'), true);
    save.save('b', titled('b1'), false);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(writes).toEqual([tabDocKey('a'), `${tabDocKey('a')}.dirty`, tabDocKey('b')]);
    expect(JSON.parse(storage.getItem(tabDocKey('a'))!).metadata.title).toBe('a2');

    save.save('b', titled('b2'), false);
    save.flush();
    expect(JSON.parse(storage.getItem(tabDocKey('b'))!).metadata.title).toBe('b2');
    // A closed tab's pending write is dropped and its stored graph removed.
    save.save('a', titled('a3'), true);
    save.forget('a');
    vi.advanceTimersByTime(1000);
    expect(storage.getItem(tabDocKey('a'))).toBeNull();
    expect(storage.getItem(`${tabDocKey('a')}.dirty`)).toBeNull();
  });

  it('keeps only the newest prompt ids of a tab', () => {
    const storage = memoryStorage();
    const owned = Array.from({ length: 30 }, (_, i) => `p${i}`);
    writeTabIndex(storage, { active: 'a', tabs: [{ id: 'a', owned }] });
    expect(parseTabIndex(JSON.parse(storage.getItem(TABS_KEY)!))!.tabs[0]!.owned).toEqual(owned.slice(10));
  });
});
