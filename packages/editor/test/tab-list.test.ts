import { describe, expect, it } from 'vitest';
import { neighbourOf, reduceTabs, singleTab, tabLabel, type TabsState } from '../src/tabs/tab-list.js';

const ids = (s: TabsState) => s.tabs.map((t) => t.id);

/** a b c d, with `active` shown. */
function four(active: string): TabsState {
  return { tabs: ['a', 'b', 'c', 'd'].map((id) => ({ id })), active };
}

describe('tab list', () => {
  it('opens a new tab right after the shown one and shows it', () => {
    const s = reduceTabs(four('b'), { type: 'open', id: 'x' });
    expect(ids(s)).toEqual(['a', 'b', 'x', 'c', 'd']);
    expect(s.active).toBe('x');
    const last = reduceTabs(four('d'), { type: 'open', id: 'y', library: { name: 'g', revision: 2, opened: 2 } });
    expect(ids(last)).toEqual(['a', 'b', 'c', 'd', 'y']);
    expect(last.tabs[4]).toEqual({ id: 'y', library: { name: 'g', revision: 2, opened: 2 } });
  });

  it('shows the right neighbour when the shown tab closes, the left one at the end, and keeps the shown tab when another closes', () => {
    expect(reduceTabs(four('b'), { type: 'close', id: 'b', replacement: 'z' })).toEqual({ tabs: [{ id: 'a' }, { id: 'c' }, { id: 'd' }], active: 'c' });
    expect(reduceTabs(four('d'), { type: 'close', id: 'd', replacement: 'z' }).active).toBe('c');
    expect(reduceTabs(four('b'), { type: 'close', id: 'd', replacement: 'z' })).toEqual({ tabs: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], active: 'b' });
    expect(neighbourOf(four('a'), 'a')).toBe('b');
    expect(neighbourOf(singleTab('a'), 'a')).toBeUndefined();
  });

  it('leaves a fresh tab when the last one closes: there is always a tab to show', () => {
    expect(reduceTabs(singleTab('a'), { type: 'close', id: 'a', replacement: 'n' })).toEqual({ tabs: [{ id: 'n' }], active: 'n' });
  });

  it('ignores actions on tabs that do not exist, returning the same state', () => {
    const s = four('a');
    expect(reduceTabs(s, { type: 'activate', id: 'q' })).toBe(s);
    expect(reduceTabs(s, { type: 'close', id: 'q', replacement: 'z' })).toBe(s);
    expect(reduceTabs(s, { type: 'link', id: 'q', library: undefined })).toBe(s);
    expect(reduceTabs(s, { type: 'move', id: 'q', to: 0 })).toBe(s);
    expect(reduceTabs(s, { type: 'open', id: 'b' })).toBe(s);
    expect(reduceTabs(s, { type: 'activate', id: 'a' })).toBe(s);
  });

  it('ties a tab to a library graph and unties it', () => {
    const linked = reduceTabs(four('a'), { type: 'link', id: 'c', library: { name: 'walk', revision: 3, opened: 1 } });
    expect(linked.tabs[2]).toEqual({ id: 'c', library: { name: 'walk', revision: 3, opened: 1 } });
    expect(reduceTabs(linked, { type: 'link', id: 'c', library: undefined }).tabs[2]).toEqual({ id: 'c' });
  });

  it('moves a tab to a position, clamped to the strip', () => {
    expect(ids(reduceTabs(four('a'), { type: 'move', id: 'a', to: 2 }))).toEqual(['b', 'c', 'a', 'd']);
    expect(ids(reduceTabs(four('a'), { type: 'move', id: 'd', to: 0 }))).toEqual(['d', 'a', 'b', 'c']);
    expect(ids(reduceTabs(four('a'), { type: 'move', id: 'b', to: 99 }))).toEqual(['a', 'c', 'd', 'b']);
  });

  it('labels a tab by its library name (with the revision when an older one is open), else the title, else Untitled', () => {
    expect(tabLabel({ id: 'a', library: { name: 'walk', revision: 3, opened: 3 } }, 'A title')).toBe('walk');
    expect(tabLabel({ id: 'a', library: { name: 'walk', revision: 3, opened: 1 } }, 'A title')).toBe('walk @1');
    expect(tabLabel({ id: 'a' }, 'A title')).toBe('A title');
    expect(tabLabel({ id: 'a' }, '  ')).toBe('Untitled');
    expect(tabLabel({ id: 'a' }, undefined)).toBe('Untitled');
  });
});
