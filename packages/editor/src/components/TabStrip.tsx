import { useState } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { useTabs } from '../tabs/workspace.js';

/** Marks a drag as one of the strip's own tabs (not a file dragged in from outside). */
const TAB_DRAG_TYPE = 'application/x-piagraph-tab';

/**
 * The open graphs as tabs: a click shows one, × or a middle click closes one (asking first when it has unsaved
 * changes), + opens an empty one, and a tab dragged onto another takes its place.
 */
export function TabStrip({ app }: { app: EditorApp }) {
  const tabs = useTabs(app.tabs);
  const [dragged, setDragged] = useState<string>();
  return (
    <div className="pg-tabstrip" role="tablist" aria-label="Open graphs" data-testid="tabs" onDoubleClick={(e) => e.target === e.currentTarget && void app.tabs.open()}>
      {tabs.map((tab, index) => (
        <div
          key={tab.id}
          role="tab"
          aria-selected={tab.active}
          className={`pg-tab${tab.active ? ' pg-tab-active' : ''}${dragged === tab.id ? ' pg-tab-dragged' : ''}`}
          data-testid="tab"
          data-tab-id={tab.id}
          data-active={tab.active}
          title={tab.library ? `Library graph "${tab.library.name}", revision ${tab.library.opened}${tab.library.opened !== tab.library.revision ? ` (the library is at ${tab.library.revision}; saving makes this the newest)` : ''}` : tab.label}
          draggable
          onClick={() => void app.tabs.switchTo(tab.id)}
          onAuxClick={(e) => {
            if (e.button === 1) void app.tabs.close(tab.id);
          }}
          onMouseDown={(e) => {
            // A middle click must not start the browser's autoscroll.
            if (e.button === 1) e.preventDefault();
          }}
          onDragStart={(e) => {
            e.dataTransfer.setData(TAB_DRAG_TYPE, tab.id);
            e.dataTransfer.effectAllowed = 'move';
            setDragged(tab.id);
          }}
          onDragEnd={() => setDragged(undefined)}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes(TAB_DRAG_TYPE)) e.preventDefault();
          }}
          onDrop={(e) => {
            const id = e.dataTransfer.getData(TAB_DRAG_TYPE);
            if (!id) return;
            e.preventDefault();
            app.tabs.move(id, index);
            setDragged(undefined);
          }}
        >
          {tab.library && <span className="pg-tab-library" aria-label="library graph">▣</span>}
          <span className="pg-tab-label" data-testid="tab-label">{tab.label}</span>
          {tab.dirty && (
            <span className="pg-dirty" data-testid="tab-dirty" title="Unsaved changes">
              •
            </span>
          )}
          <button
            className="pg-tab-close"
            data-testid="tab-close"
            aria-label={`Close ${tab.label}`}
            title="Close (middle click)"
            onClick={(e) => {
              e.stopPropagation();
              void app.tabs.close(tab.id);
            }}
          >
            ×
          </button>
        </div>
      ))}
      <button className="pg-tab-new" data-testid="tab-new" title="New tab (double-click the strip)" aria-label="New tab" onClick={() => void app.tabs.open()}>
        +
      </button>
    </div>
  );
}
