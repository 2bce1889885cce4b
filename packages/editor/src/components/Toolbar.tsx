import { useRef } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { useUi } from '../app/ui-store.js';
import { useDocument, useDocumentDirty, useRunState } from '../store/hooks.js';

/** Title, file actions, undo/redo, arrange, and the Queue button with the run status. */
export function Toolbar({ app }: { app: EditorApp }) {
  const doc = useDocument(app.docs);
  const run = useRunState(app.runs);
  const ui = useUi(app.ui);
  const dirty = useDocumentDirty(app.docs);
  const file = useRef<HTMLInputElement>(null);
  return (
    <header className="pg-toolbar">
      <span className="pg-brand">piagraph</span>
      <span className="pg-doc-title" data-testid="doc-title">
        {doc.metadata.title ?? 'Untitled'}
        {dirty && <span className="pg-dirty" data-testid="dirty" title="Unsaved changes"> •</span>}
      </span>
      <button className="pg-button" data-testid="new" onClick={() => void app.newGraph()}>New</button>
      <button className="pg-button" data-testid="open" onClick={() => file.current?.click()}>Open…</button>
      <input
        ref={file}
        type="file"
        accept=".json,image/png,image/webp,image/gif,video/mp4,video/webm"
        hidden
        data-testid="open-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void app.open(f);
          e.target.value = '';
        }}
      />
      <button className="pg-button" data-testid="save" onClick={() => app.save()} title="Ctrl+S">Save</button>
      <span className="pg-sep" />
      <button className="pg-button" data-testid="library-button" onClick={() => app.ui.update({ library: { saving: false } })} title="Open a graph from the server's library, or save this one into it">
        Library…
      </button>
      <button className="pg-button" data-testid="library-save" onClick={() => void app.library.save()} title="Save to the server's library as a new revision (asks for a name the first time)">
        Save to library
      </button>
      <span className="pg-sep" />
      <button className="pg-button" data-testid="export-api" onClick={() => app.exportApiPrompt()} title="Download the API-format prompt (for POST /prompt and other ComfyUI tools)">
        Export API
      </button>
      <span className="pg-sep" />
      <button className="pg-button" data-testid="undo" disabled={!app.docs.canUndo} onClick={() => app.undo()} title="Ctrl+Z">Undo</button>
      <button className="pg-button" data-testid="redo" disabled={!app.docs.canRedo} onClick={() => app.redo()} title="Ctrl+Shift+Z">Redo</button>
      <button className="pg-button" data-testid="arrange" onClick={() => void app.arrange()}>Arrange</button>
      <button className="pg-button" data-testid="fit" onClick={() => void app.handle.zoomToFit()} title=".">Fit</button>
      <button className="pg-button" data-testid="settings-button" onClick={() => app.ui.update({ settingsOpen: true })} title="Settings (Ctrl+,)">
        Settings
      </button>
      <span className="pg-spacer" />
      <span className={`pg-status${ui.connected ? '' : ' pg-offline'}`} data-testid="status">
        {ui.connected ? (run.message ?? 'Idle') : 'Disconnected'}
        {run.queueRemaining > 0 && ` · ${run.queueRemaining} in queue`}
      </span>
      <label className="pg-batch" title="Batch count: how many times Queue queues the graph (seeds advance each time)">
        ×
        <input
          type="number"
          min={1}
          max={100}
          data-testid="batch-count"
          value={ui.batchCount}
          onChange={(e) => app.ui.update({ batchCount: Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 1))) })}
        />
      </label>
      <button className="pg-button pg-primary" data-testid="queue-button" onClick={(e) => void app.queue({ front: e.shiftKey })} title="Ctrl+Enter (Ctrl+Shift+Enter or Shift+click: to the front of the queue)">
        Queue
      </button>
    </header>
  );
}
