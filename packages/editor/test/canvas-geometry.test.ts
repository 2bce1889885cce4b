import { describe, expect, it } from 'vitest';
import { fitTransform, graphToScreen, openingTransform, screenToGraph, zoomAround } from '../src/canvas/geometry.js';
import { minimapMapping, minimapToGraph } from '../src/canvas/minimap.js';
import { bezierPoint, wireBounds, wireMidpoint, wireShape } from '../src/canvas/wire-path.js';

describe('camera', () => {
  it('maps graph to screen and back through pan and zoom', () => {
    const t = { x: 100, y: -50, k: 2 };
    expect(graphToScreen({ x: 10, y: 20 }, t)).toEqual({ x: 120, y: -10 });
    expect(screenToGraph({ x: 120, y: -10 }, t)).toEqual({ x: 10, y: 20 });
  });

  it('zooms around a point that stays over the same graph point', () => {
    const t = { x: 30, y: 40, k: 1 };
    const at = { x: 200, y: 100 };
    const z = zoomAround(t, at, 2, 0.1, 4);
    expect(z.k).toBe(2);
    expect(screenToGraph(at, z)).toEqual(screenToGraph(at, t));
    expect(zoomAround(t, at, 100, 0.1, 4).k).toBe(4);
  });

  it('fits a rectangle centred in the viewport within the padding, at most at the zoom limit', () => {
    // 1000x500 in 540x340 with 20 px padding: 500/1000 = 0.5 limits (300/500 = 0.6 would not).
    const t = fitTransform({ x: 0, y: 0, width: 1000, height: 500 }, { width: 540, height: 340 }, 20, 1);
    expect(t.k).toBe(0.5);
    expect(graphToScreen({ x: 500, y: 250 }, t)).toEqual({ x: 270, y: 170 });
    expect(fitTransform({ x: 0, y: 0, width: 10, height: 10 }, { width: 540, height: 340 }, 20, 1).k).toBe(1);
  });
});

describe('opening camera', () => {
  it('frames a small graph whole when that keeps it readable', () => {
    const bounds = { x: 0, y: 0, width: 400, height: 200 };
    expect(openingTransform(bounds, { width: 1000, height: 600 }, 0.85)).toEqual(fitTransform(bounds, { width: 1000, height: 600 }, 40, 1));
  });

  it('opens a large graph at the readable zoom at its left edge, centred vertically when its height fits', () => {
    // 2000 wide: fitting 920 px would be 0.46 < 0.85. Height 400 × 0.85 = 340 fits 600 − 80.
    const t = openingTransform({ x: 100, y: 50, width: 2000, height: 400 }, { width: 1000, height: 600 }, 0.85);
    expect(t.k).toBe(0.85);
    expect(graphToScreen({ x: 100, y: 250 }, t)).toEqual({ x: 40, y: 300 });
    // Too tall as well: its top-left corner goes to the padding.
    const tall = openingTransform({ x: 100, y: 50, width: 2000, height: 4000 }, { width: 1000, height: 600 }, 0.85);
    expect(graphToScreen({ x: 100, y: 50 }, tall)).toEqual({ x: 40, y: 40 });
  });
});

describe('wire shapes', () => {
  it('leaves an output rightwards and enters an input from the left, through the middle point', () => {
    const shape = wireShape({ x: 0, y: 0 }, { x: 200, y: 100 }, 'spline');
    if (shape.kind !== 'bezier') throw new Error('expected a bezier');
    expect(shape.c1.y).toBe(0);
    expect(shape.c1.x).toBeGreaterThan(0);
    expect(shape.c2.y).toBe(100);
    expect(shape.c2.x).toBeLessThan(200);
    // Point-symmetric about the middle, so the curve's t = 0.5 point is the midpoint of its ends.
    expect(wireMidpoint(shape)).toEqual({ x: 100, y: 50 });
  });

  it('computes Bézier points by the Bernstein form', () => {
    const p = bezierPoint({ x: 0, y: 0 }, { x: 0, y: 100 }, { x: 100, y: 100 }, { x: 100, y: 0 }, 0.5);
    // (0 + 3·0 + 3·100 + 100)/8 = 50 and (0 + 3·100 + 3·100 + 0)/8 = 75.
    expect(p).toEqual({ x: 50, y: 75 });
  });

  it('routes a straight wire going backwards around, and finds the middle of its length', () => {
    const shape = wireShape({ x: 100, y: 0 }, { x: 0, y: 100 }, 'straight');
    if (shape.kind !== 'polyline') throw new Error('expected a polyline');
    expect(shape.points).toEqual([
      { x: 100, y: 0 },
      { x: 120, y: 0 },
      { x: 120, y: 50 },
      { x: -20, y: 50 },
      { x: -20, y: 100 },
      { x: 0, y: 100 },
    ]);
    // Length 20 + 50 + 140 + 50 + 20 = 280; half (140) is 70 into the crossing segment.
    expect(wireMidpoint(shape)).toEqual({ x: 50, y: 50 });
    expect(wireBounds(shape)).toEqual({ x: -20, y: 0, width: 140, height: 100 });
  });
});

describe('minimap mapping', () => {
  it('fits the world into the minimap, centred, and maps a minimap point back to the graph', () => {
    // World 1000x1000 into 200x100 with margin 0: scale 0.1 (height limits), 50 px of padding left and right.
    const m = minimapMapping({ x: -500, y: 0, width: 1000, height: 1000 }, { width: 200, height: 100 }, 0);
    expect(m.scale).toBe(0.1);
    expect(m.pad).toEqual({ x: 50, y: 0 });
    expect(minimapToGraph(m, { x: 100, y: 50 })).toEqual({ x: 0, y: 500 });
  });
});
