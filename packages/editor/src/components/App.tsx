import { useEffect, useState } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { installShortcuts } from '../app/keyboard.js';
import { useUi } from '../app/ui-store.js';
import { useDocumentIsEmpty } from '../store/hooks.js';
import { CanvasView } from './CanvasView.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ContextMenu } from './ContextMenu.js';
import { Palette } from './Palette.js';
import { QueuePanel } from './QueuePanel.js';
import { SearchBox } from './SearchBox.js';
import { LibraryDialog } from './LibraryDialog.js';
import { SettingsPanel } from './SettingsPanel.js';
import { TabStrip } from './TabStrip.js';
import { Toolbar } from './Toolbar.js';
import { TooltipLayer } from './Tooltip.js';

/** The editor page: toolbar, tab strip, node palette, canvas, queue panel, dialogs, search box and notices. */
export function App({ app }: { app: EditorApp }) {
  const ui = useUi(app.ui);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    // The app lives as long as the page; it starts once even under StrictMode's double effects.
    if (!app.started) void app.start();
    return installShortcuts(app);
  }, [app]);

  useEffect(() => {
    if (!ui.notice) return;
    const timer = setTimeout(() => app.ui.update({ notice: undefined }), ui.notice.kind === 'error' ? 8000 : 3000);
    return () => clearTimeout(timer);
  }, [app, ui.notice]);

  const empty = useDocumentIsEmpty(app.docs) && ui.ready;
  return (
    <div className="pg-app">
      <Toolbar app={app} />
      <TabStrip app={app} />
      <div className="pg-main">
        <Palette app={app} />
        <div
          className={`pg-canvas-wrap${dragging ? ' pg-drop-target' : ''}`}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes('Files')) {
              e.preventDefault();
              setDragging(true);
            }
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            const file = e.dataTransfer.files[0];
            const client = { x: e.clientX, y: e.clientY };
            const over = app.canvas.isOverview()
              ? app.canvas.nodeAt(app.canvas.toCanvas(client))
              : (e.target as Element).closest<HTMLElement>('[data-node-id]')?.dataset.nodeId;
            if (file) void app.dropFile(file, client, over);
          }}
        >
          <CanvasView app={app} />
          {empty && <EmptyHint />}
          {ui.failure && <div className="pg-failure">{ui.failure}</div>}
        </div>
        <QueuePanel app={app} />
      </div>
      {ui.search && <SearchBox app={app} at={ui.search} onClose={() => app.ui.update({ search: undefined })} />}
      {ui.menu && <ContextMenu at={ui.menu.client} items={ui.menu.items} onClose={() => app.ui.update({ menu: undefined })} />}
      {ui.settingsOpen && <SettingsPanel app={app} onClose={() => app.ui.update({ settingsOpen: false })} />}
      {ui.library && <LibraryDialog app={app} saving={ui.library.saving} onClose={() => app.ui.update({ library: undefined })} />}
      {ui.confirm && <ConfirmDialog question={ui.confirm} />}
      <TooltipLayer />
      {ui.notice && (
        <div className={`pg-notice pg-notice-${ui.notice.kind}`} role="status" data-testid="notice">
          {ui.notice.text}
        </div>
      )}
    </div>
  );
}

function EmptyHint() {
  return (
    <div className="pg-empty-hint" data-testid="empty-hint">
      <p>The canvas is empty.</p>
      <p>Double-click to search for a node, right-click for the node menu, pick one from the palette, or drop a workflow JSON or a PNG/WebP/MP4 made by piagraph.</p>
    </div>
  );
}
