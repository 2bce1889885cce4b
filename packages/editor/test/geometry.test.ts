import { describe, expect, it } from 'vitest';
import { intersects, isBoxGesture, nodesInRect, normalizeRect, screenRectToGraph, type Rect } from '../src/canvas/geometry.js';

const noKeys = { ctrlKey: false, shiftKey: false, metaKey: false };

describe('box selection geometry', () => {
  it('normalises a rectangle dragged up and to the left', () => {
    expect(normalizeRect({ x: 300, y: 250 }, { x: 200, y: 150 })).toEqual({ x: 200, y: 150, width: 100, height: 100 });
  });

  it('converts a canvas rectangle to area coordinates through pan and zoom', () => {
    // Zoom 0.5 panned by (100, 50): canvas x 200 is graph (200 - 100) / 0.5 = 200; 100 px span 200 graph units.
    expect(screenRectToGraph({ x: 200, y: 150, width: 100, height: 100 }, { x: 100, y: 50, k: 0.5 })).toEqual({ x: 200, y: 200, width: 200, height: 200 });
  });

  it('does not count rectangles that only touch at an edge as intersecting', () => {
    expect(intersects({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(false);
    expect(intersects({ x: 0, y: 0, width: 10, height: 10 }, { x: 9, y: 9, width: 10, height: 10 })).toBe(true);
  });

  it('picks the nodes a rectangle drawn at zoom 0.5 intersects in area coordinates, partly covered ones included', () => {
    const nodes: [string, Rect][] = [
      ['inside', { x: 250, y: 250, width: 100, height: 100 }],
      ['overlaps', { x: 350, y: 350, width: 260, height: 120 }],
      ['top-edge', { x: 380, y: 150, width: 100, height: 60 }],
      ['above', { x: 0, y: 0, width: 260, height: 120 }],
      ['touching', { x: 400, y: 300, width: 50, height: 50 }],
    ];
    const area = screenRectToGraph(normalizeRect({ x: 300, y: 250 }, { x: 200, y: 150 }), { x: 100, y: 50, k: 0.5 });
    expect(nodesInRect(area, nodes)).toEqual(['inside', 'overlaps', 'top-edge']);
  });

  it('finds a different set for the same screen rectangle at zoom 1', () => {
    // At zoom 1 the rectangle covers graph 100..200 on both axes: none of the nodes above.
    const area = screenRectToGraph({ x: 200, y: 150, width: 100, height: 100 }, { x: 100, y: 50, k: 1 });
    expect(area).toEqual({ x: 100, y: 100, width: 100, height: 100 });
    expect(nodesInRect(area, [['overlaps', { x: 350, y: 350, width: 260, height: 120 }]])).toEqual([]);
  });

  it('starts a box with Ctrl, Shift or Meta held and pans otherwise', () => {
    expect(isBoxGesture(noKeys)).toBe(false);
    expect(isBoxGesture({ ...noKeys, ctrlKey: true })).toBe(true);
    expect(isBoxGesture({ ...noKeys, shiftKey: true })).toBe(true);
    expect(isBoxGesture({ ...noKeys, metaKey: true })).toBe(true);
  });
});
