import type { BaseSchemes } from 'rete';
import { BaseSocketPosition } from 'rete-render-utils';

type Side = 'input' | 'output';
interface Position {
  x: number;
  y: number;
}
interface SocketEntry {
  nodeId: string;
  side: Side;
  key: string;
  element: HTMLElement;
  position: Position;
}
interface Change {
  nodeId: string;
  side?: Side;
  key?: string;
}
interface Measurement {
  nodeId: string;
  side: Side;
  element: HTMLElement;
  frames: number;
  resolve(position: Position | null): void;
}

/** How far a wire ends outside its socket's centre, as rete's default DOM watcher places it. */
const WIRE_OFFSET = 12;
/** Frames a socket may stay out of the layout (not yet attached) before its measurement gives up. */
const MAX_WAIT_FRAMES = 60;

const socketId = (s: { nodeId: string; side?: Side; key?: string }) => `${s.nodeId}\u0000${s.side}\u0000${s.key}`;

/** Socket positions indexed by element and by socket, so a lookup does not scan every socket of the graph. */
class SocketIndex {
  private readonly byElement = new Map<HTMLElement, SocketEntry[]>();
  private readonly bySocket = new Map<string, SocketEntry>();

  add(entry: SocketEntry): void {
    const id = socketId(entry);
    const list = (this.byElement.get(entry.element) ?? []).filter((e) => socketId(e) !== id);
    list.push(entry);
    this.byElement.set(entry.element, list);
    this.bySocket.set(id, entry);
  }

  remove(element: HTMLElement): void {
    for (const entry of this.byElement.get(element) ?? []) {
      if (this.bySocket.get(socketId(entry)) === entry) this.bySocket.delete(socketId(entry));
    }
    this.byElement.delete(element);
  }

  getPosition(socket: { nodeId: string; side: Side; key: string }): Position | null {
    return this.bySocket.get(socketId(socket))?.position ?? null;
  }

  snapshot(): SocketEntry[] {
    return [...this.byElement.values()].flat();
  }
}

/** Change notices delivered only to the listeners of the node they concern. */
class NodeEmitter {
  private readonly listeners = new Map<string, Set<(change: Change) => void>>();

  emit(change: Change): void {
    for (const listener of this.listeners.get(change.nodeId) ?? []) listener(change);
  }

  listenNode(nodeId: string, listener: (change: Change) => void): () => void {
    let set = this.listeners.get(nodeId);
    if (!set) this.listeners.set(nodeId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(nodeId);
    };
  }
}

/**
 * Rete's DOM socket watcher, made to scale: rete measures each socket as soon as it renders, which forces a layout
 * per socket while a graph loads (thousands of layouts for 500 nodes), and finds positions and listeners by scanning
 * every socket and every wire. This one measures all sockets rendered in a frame together in the next animation
 * frame (one layout), and indexes positions and listeners by socket and node. Positions are the same as rete's.
 */
export class BatchedSocketPosition<Schemes extends BaseSchemes, K> extends BaseSocketPosition<Schemes, K> {
  private pending: Measurement[] = [];
  private scheduled = false;
  private readonly index = new SocketIndex();
  private readonly nodeEmitter = new NodeEmitter();

  constructor() {
    super();
    // The base class's pipe reads and writes these two; give it the indexed versions.
    this.sockets = this.index as unknown as typeof this.sockets;
    this.emitter = this.nodeEmitter as unknown as typeof this.emitter;
  }

  calculatePosition(nodeId: string, side: Side, _key: string, element: HTMLElement): Promise<Position | null> {
    return new Promise((resolve) => this.enqueue({ nodeId, side, element, frames: 0, resolve }));
  }

  override listen(nodeId: string, side: Side, key: string, change: (position: Position) => void): () => void {
    const notify = (data: Change) => {
      if ((data.key && data.side !== side) || (data.side && data.key !== key)) return;
      const position = this.index.getPosition({ nodeId, side, key });
      const view = position && this.area?.nodeViews.get(nodeId);
      if (position && view) change({ x: position.x + view.position.x, y: position.y + view.position.y });
    };
    const unlisten = this.nodeEmitter.listenNode(nodeId, notify);
    notify({ nodeId, side, key });
    return unlisten;
  }

  private enqueue(measurement: Measurement): void {
    this.pending.push(measurement);
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.measure());
  }

  /** Reads every queued socket's offset in one pass: the DOM is not written in between, so it lays out once. */
  private measure(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const m of batch) {
      const node = this.area?.nodeViews.get(m.nodeId)?.element;
      if (!node) {
        m.resolve(null);
      } else if (!m.element.offsetParent) {
        if (++m.frames < MAX_WAIT_FRAMES) this.enqueue(m);
        else m.resolve(null);
      } else {
        const centre = centreWithin(m.element, node);
        m.resolve({ x: centre.x + WIRE_OFFSET * (m.side === 'input' ? -1 : 1), y: centre.y });
      }
    }
  }
}

/** The centre of `child` in the coordinates of its ancestor `parent`, from offsets (unscaled by the zoom). */
function centreWithin(child: HTMLElement, parent: HTMLElement): Position {
  let x = child.offsetLeft;
  let y = child.offsetTop;
  let current = child.offsetParent as HTMLElement | null;
  while (current && current !== parent) {
    x += current.offsetLeft + current.clientLeft;
    y += current.offsetTop + current.clientTop;
    current = current.offsetParent as HTMLElement | null;
  }
  return { x: x + child.offsetWidth / 2, y: y + child.offsetHeight / 2 };
}
