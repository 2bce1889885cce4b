import { describe, expect, it } from 'vitest';
import { GroupDrag } from '../src/rete/group-drag.js';

function gesture(ctrl = false) {
  return new GroupDrag(() => ctrl);
}

describe('pressing a node with a selection', () => {
  it('keeps the selection when a plain press lands on a node already selected', () => {
    const g = gesture();
    g.press('a', true);
    expect(g.accumulates()).toBe(true);
  });

  it('replaces the selection when a plain press lands on an unselected node', () => {
    const g = gesture();
    g.press('a', false);
    expect(g.accumulates()).toBe(false);
    expect(g.release()).toBeUndefined();
  });

  it('adds to the selection while Ctrl is held, whether or not the node was selected', () => {
    const g = gesture(true);
    g.press('a', false);
    expect(g.accumulates()).toBe(true);
    g.press('b', true);
    expect(g.accumulates()).toBe(true);
    expect(g.release()).toBeUndefined();
  });

  it('narrows the selection to a selected node clicked without moving it', () => {
    const g = gesture();
    g.press('a', true);
    expect(g.release()).toBe('a');
  });

  it('keeps the selection after a selected node is dragged', () => {
    const g = gesture();
    g.press('a', true);
    g.translated('b');
    g.translated('a');
    expect(g.release()).toBeUndefined();
  });

  it('does not count other nodes moving along as a drag of the pressed node', () => {
    const g = gesture();
    g.press('a', true);
    g.translated('b');
    expect(g.release()).toBe('a');
  });

  it('forgets the press once released', () => {
    const g = gesture();
    g.press('a', true);
    g.release();
    expect(g.accumulates()).toBe(false);
    expect(g.release()).toBeUndefined();
  });
});
