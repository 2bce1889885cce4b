import type { AreaPlugin } from 'rete-area-plugin';
import type { Schemes } from './schemes.js';

/**
 * Coalesces the minimap's render signals to at most one per `intervalMs`, and none while `busy()` (a bulk load),
 * so that the minimap (which re-renders every node's rectangle) does not run once per created node or on every
 * frame of a pan: with 500 nodes that halved the panning frame rate. Must be installed before the render plugin
 * so it sees the signals first.
 */
export function throttleMinimap<T>(area: AreaPlugin<Schemes, T>, busy: () => boolean, intervalMs = 120): void {
  let pending: T | undefined;
  let scheduled = false;
  let last = 0;
  const released = new WeakSet<object>();
  const flush = (now: number) => {
    if (busy() || now - last < intervalMs) {
      requestAnimationFrame(flush);
      return;
    }
    last = now;
    scheduled = false;
    const ctx = pending;
    pending = undefined;
    if (ctx) {
      released.add(ctx as object);
      void area.emit(ctx as never);
    }
  };
  area.addPipe((ctx) => {
    const signal = ctx as { type?: string; data?: { type?: string } };
    if (signal.type !== 'render' || signal.data?.type !== 'minimap' || released.has(ctx as object)) return ctx;
    pending = ctx as T;
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(flush);
    }
    return undefined;
  });
}
