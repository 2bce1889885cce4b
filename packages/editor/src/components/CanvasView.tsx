import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { MINIMAP_SIZE } from '../canvas/minimap.js';
import { GroupLayer } from './GroupLayer.js';
import { NodeCard } from './NodeCard.js';

/** The node cards in view, in one React tree (no root per node). */
function NodeLayer({ app }: { app: EditorApp }) {
  const ids = useSyncExternalStore(app.canvas.subscribe, app.canvas.visibleIds);
  return (
    <>
      {ids.map((id) => (
        <NodeCard key={id} id={id} ctrl={app.canvas} services={app.services} />
      ))}
    </>
  );
}

/**
 * The canvas's layers, bottom to top: groups (DOM), wires and the zoomed-out overview (a 2D canvas), node cards
 * (DOM, only those in view), the wire being dragged (a 2D canvas), and the minimap. Each DOM layer sits in a
 * `.pg-pan` wrapper: the wrapper carries the camera's offset, the layer its zoom, so a pan changes only a
 * translation of two composited elements and repaints nothing.
 */
export function CanvasView({ app }: { app: EditorApp }) {
  const container = useRef<HTMLDivElement>(null);
  const groupLayer = useRef<HTMLDivElement>(null);
  const wires = useRef<HTMLCanvasElement>(null);
  const nodeLayer = useRef<HTMLDivElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const minimap = useRef<HTMLCanvasElement>(null);
  const minimapView = useRef<HTMLDivElement>(null);
  useEffect(() => {
    app.attachCanvas({
      container: container.current!,
      groupLayer: groupLayer.current!,
      wires: wires.current!,
      nodeLayer: nodeLayer.current!,
      overlay: overlay.current!,
      minimap: minimap.current!,
      minimapView: minimapView.current!,
    });
  }, [app]);
  return (
    <div ref={container} className="pg-canvas" data-testid="canvas">
      <div className="pg-pan">
        <div ref={groupLayer} className="pg-layer pg-group-layer">
          <GroupLayer app={app} />
        </div>
      </div>
      <canvas ref={wires} className="pg-surface" data-testid="wires" />
      <div className="pg-pan">
        <div ref={nodeLayer} className="pg-layer pg-node-layer">
          <NodeLayer app={app} />
        </div>
      </div>
      <canvas ref={overlay} className="pg-surface pg-overlay" />
      <div className="pg-minimap" style={{ width: MINIMAP_SIZE.width, height: MINIMAP_SIZE.height }}>
        <canvas ref={minimap} data-testid="minimap" style={{ width: MINIMAP_SIZE.width, height: MINIMAP_SIZE.height }} />
        <div ref={minimapView} className="pg-minimap-view" />
      </div>
    </div>
  );
}
