/**
 * Group geometry (ComfyUI's groups: a titled, coloured frame that moves with the nodes inside it). Pure.
 */
import { containsPoint, unionRects, type Rect } from './geometry.js';

/** Height of a group's title bar (inside its bounds, at the top). */
export const GROUP_TITLE_HEIGHT = 34;
/** Space kept between a new group's frame and the nodes it was made around. */
export const GROUP_PADDING = 16;

/** The bounds of a group made around `rects`: padded on every side, with room for the title bar above them. */
export function groupAround(rects: Iterable<Rect>, padding = GROUP_PADDING): Rect | undefined {
  const u = unionRects(rects);
  if (!u) return undefined;
  return {
    x: u.x - padding,
    y: u.y - padding - GROUP_TITLE_HEIGHT,
    width: u.width + 2 * padding,
    height: u.height + 2 * padding + GROUP_TITLE_HEIGHT,
  };
}

/** The nodes a group holds: those whose centre lies inside its bounds (so a node half over the edge still moves with it). */
export function nodesInGroup(bounds: Rect, rects: Iterable<[string, Rect]>): string[] {
  const inside: string[] = [];
  for (const [id, r] of rects) {
    if (containsPoint(bounds, { x: r.x + r.width / 2, y: r.y + r.height / 2 })) inside.push(id);
  }
  return inside;
}

/** A group's title bar. */
export function groupTitleRect(bounds: Rect): Rect {
  return { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(GROUP_TITLE_HEIGHT, bounds.height) };
}

/** litegraph's colour choices for nodes (title, body) and groups, by name, as ComfyUI offers them. */
export const NODE_COLOURS: Readonly<Record<string, { color: string; bgcolor: string; groupcolor: string }>> = {
  red: { color: '#322', bgcolor: '#533', groupcolor: '#A88' },
  brown: { color: '#332922', bgcolor: '#593930', groupcolor: '#b06634' },
  green: { color: '#232', bgcolor: '#353', groupcolor: '#8A8' },
  blue: { color: '#223', bgcolor: '#335', groupcolor: '#88A' },
  pale_blue: { color: '#2a363b', bgcolor: '#3f5159', groupcolor: '#3f789e' },
  cyan: { color: '#233', bgcolor: '#355', groupcolor: '#8AA' },
  purple: { color: '#323', bgcolor: '#535', groupcolor: '#a1309b' },
  yellow: { color: '#432', bgcolor: '#653', groupcolor: '#b58b2a' },
  black: { color: '#222', bgcolor: '#000', groupcolor: '#444' },
};

/** The default colour of a new group. */
export const DEFAULT_GROUP_COLOUR = '#3f789e';
