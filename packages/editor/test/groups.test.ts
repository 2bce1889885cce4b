import { describe, expect, it } from 'vitest';
import { GROUP_PADDING, GROUP_TITLE_HEIGHT, groupAround, groupTitleRect, nodesInGroup } from '../src/canvas/groups.js';

describe('group geometry', () => {
  it('makes a group around nodes with the padding on every side and the title bar above them', () => {
    // Two nodes spanning x 100…500 and y 200…460.
    const bounds = groupAround([
      { x: 100, y: 200, width: 260, height: 120 },
      { x: 300, y: 340, width: 200, height: 120 },
    ]);
    expect(bounds).toEqual({
      x: 100 - GROUP_PADDING,
      y: 200 - GROUP_PADDING - GROUP_TITLE_HEIGHT,
      width: 400 + 2 * GROUP_PADDING,
      height: 260 + 2 * GROUP_PADDING + GROUP_TITLE_HEIGHT,
    });
  });

  it('makes no group around nothing', () => {
    expect(groupAround([])).toBeUndefined();
  });

  it('holds the nodes whose centre lies inside it, even half over its edge, and not those outside', () => {
    const group = { x: 0, y: 0, width: 400, height: 300 };
    const nodes: [string, { x: number; y: number; width: number; height: number }][] = [
      ['inside', { x: 20, y: 50, width: 100, height: 100 }],
      ['over the right edge, centre inside', { x: 340, y: 100, width: 100, height: 50 }],
      ['over the right edge, centre outside', { x: 380, y: 100, width: 100, height: 50 }],
      ['far away', { x: 1000, y: 1000, width: 10, height: 10 }],
    ];
    expect(nodesInGroup(group, nodes)).toEqual(['inside', 'over the right edge, centre inside']);
  });

  it('keeps the title bar inside a group too short for it', () => {
    expect(groupTitleRect({ x: 5, y: 6, width: 100, height: 20 })).toEqual({ x: 5, y: 6, width: 100, height: 20 });
    expect(groupTitleRect({ x: 5, y: 6, width: 100, height: 200 })).toEqual({ x: 5, y: 6, width: 100, height: GROUP_TITLE_HEIGHT });
  });
});
