/**
 * Where to put a new node so that it covers no other: the free spot nearest to where the user looks. Pure.
 */
import { intersects, inflate, type Point, type Rect } from './geometry.js';

/** Grid step of the search (graph units). */
const STEP = 40;
/** Space kept around the new node. */
const MARGIN = 20;

/**
 * The top-left corner closest to `preferred` (the top-left the node would have) at which a `size` box, with a
 * margin, overlaps none of `occupied`; candidates lie on rings of a grid around `preferred`, inside `within` when
 * given (the view), and the first free one on the smallest ring wins (nearest first within a ring).
 */
export function freeSpot(preferred: Point, size: { width: number; height: number }, occupied: readonly Rect[], within?: Rect, maxRings = 60): Point {
  const fits = (p: Point) => {
    const box = inflate({ x: p.x, y: p.y, width: size.width, height: size.height }, MARGIN);
    if (within && (p.x < within.x || p.y < within.y || p.x + size.width > within.x + within.width || p.y + size.height > within.y + within.height)) return false;
    return !occupied.some((r) => intersects(box, r));
  };
  for (let ring = 0; ring <= maxRings; ring++) {
    const candidates: Point[] = [];
    for (let dx = -ring; dx <= ring; dx++) {
      for (let dy = -ring; dy <= ring; dy++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        candidates.push({ x: preferred.x + dx * STEP, y: preferred.y + dy * STEP });
      }
    }
    candidates.sort((a, b) => Math.hypot(a.x - preferred.x, a.y - preferred.y) - Math.hypot(b.x - preferred.x, b.y - preferred.y));
    const hit = candidates.find(fits);
    if (hit) return hit;
  }
  // Nothing free in reach (inside the view): outside it then, or where asked as a last resort.
  return within ? freeSpot(preferred, size, occupied, undefined, maxRings) : preferred;
}
