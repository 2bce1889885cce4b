import type { MinimapPlugin } from 'rete-minimap-plugin';
import type { Schemes } from './schemes.js';

/**
 * Coalesces the minimap's redraws to at most one per `intervalMs`, and none while `busy()` (a bulk load). The
 * plugin redraws on every node creation, node move, pan and zoom, and each redraw measures the container (a forced
 * layout) and maps every node: while a 500-node graph loaded that was 3.5 s of 8, and while panning it halved the
 * frame rate. The plugin has no option for this, so its (private) `render` is wrapped on the instance.
 */
export function throttleMinimap(minimap: MinimapPlugin<Schemes>, busy: () => boolean, intervalMs = 120): void {
  const target = minimap as unknown as { render(): void };
  const render = target.render.bind(minimap);
  let scheduled = false;
  let last = 0;
  const flush = (now: number) => {
    if (busy() || now - last < intervalMs) {
      requestAnimationFrame(flush);
      return;
    }
    last = now;
    scheduled = false;
    render();
  };
  target.render = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(flush);
  };
}
