import { describe, expect, it } from 'vitest';
import { intersects, inflate } from '../src/canvas/geometry.js';
import { freeSpot } from '../src/canvas/free-space.js';

const size = { width: 100, height: 80 };

describe('free space for a new node', () => {
  it('takes the preferred spot when nothing is there', () => {
    expect(freeSpot({ x: 200, y: 200 }, size, [{ x: 0, y: 0, width: 50, height: 50 }])).toEqual({ x: 200, y: 200 });
  });

  it('moves to the nearest grid spot whose box, with its margin, overlaps nothing', () => {
    // A node covering 180…320 × 180…300: the preferred spot overlaps it. Left of it the box must end 20 before x 180,
    // i.e. x ≤ 60 → ring 4 (x 40), 160 away; above it y ≤ 80 → ring 3 (y 80), 120 away; below it y ≥ 320 → ring 3,
    // also 120 away: the tie goes to the candidate met first, above.
    const occupied = [{ x: 180, y: 180, width: 140, height: 120 }];
    const spot = freeSpot({ x: 200, y: 200 }, size, occupied);
    expect(spot).toEqual({ x: 200, y: 80 });
    expect(intersects(inflate({ ...spot, ...size }, 20), occupied[0]!)).toBe(false);
  });

  it('stays inside the view when one is given', () => {
    const view = { x: 0, y: 0, width: 400, height: 300 };
    const spot = freeSpot({ x: 150, y: 110 }, size, [{ x: 100, y: 0, width: 300, height: 300 }], view);
    // Only the strip x < 100 − 20 − 100 = −20 … is free, which is outside the view: the view is full, so outside it.
    expect(spot.x + size.width + 20).toBeLessThanOrEqual(100);
  });
});
