import { useCallback, useEffect, useRef, useState } from 'react';
import type { LibraryGraph, LibraryRevision } from '../api/http.js';
import type { EditorApp } from '../app/editor-app.js';
import { useDocument } from '../store/hooks.js';
import type { LibraryOutcome } from '../tabs/library-actions.js';

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** A graph's saved revisions, newest first, each with an Open button. */
function Revisions({ app, graph, onOpened, onError }: { app: EditorApp; graph: LibraryGraph; onOpened(): void; onError(message: string): void }) {
  const [revisions, setRevisions] = useState<LibraryRevision[]>();
  useEffect(() => {
    let live = true;
    app.api.libraryRevisions(graph.name).then(
      (list) => live && setRevisions([...list].reverse()),
      (e: Error) => live && onError(`Cannot list the revisions of "${graph.name}": ${e.message}`),
    );
    return () => {
      live = false;
    };
  }, [app, graph.name, graph.revision, onError]);
  if (!revisions) return <div className="pg-muted pg-library-revisions">Loading revisions…</div>;
  return (
    <ul className="pg-library-revisions" data-testid="library-revisions">
      {revisions.map((r) => (
        <li key={r.revision} data-testid="library-revision" data-revision={r.revision}>
          <span>
            Revision {r.revision}
            {r.revision === graph.revision && <span className="pg-muted"> (current)</span>}
          </span>
          <span className="pg-muted">{when(r.savedAt)}</span>
          <button
            className="pg-button"
            data-testid="library-open-revision"
            onClick={async () => {
              const outcome = await app.library.open(graph.name, r.revision === graph.revision ? undefined : r.revision);
              if (outcome.ok) onOpened();
              else if (outcome.message) onError(outcome.message);
            }}
          >
            Open
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * The server's graph library: save the shown tab under a name, and open any graph (or an older revision) in a tab.
 * Lists every graph by name with its title, last update and revision count. Failures show in the dialog as
 * sentences (and as a notice).
 */
export function LibraryDialog({ app, saving, onClose }: { app: EditorApp; saving: boolean; onClose(): void }) {
  const doc = useDocument(app.docs);
  const link = app.tabs.libraryOf(app.tabs.active);
  const [graphs, setGraphs] = useState<LibraryGraph[]>();
  const [error, setError] = useState<string>();
  const [expanded, setExpanded] = useState<string>();
  const [name, setName] = useState(link?.name ?? doc.metadata.title ?? '');
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);

  const reload = useCallback(() => {
    app.api.libraryGraphs().then(setGraphs, (e: Error) => setError(`Cannot list the library: ${e.message}`));
  }, [app]);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (saving) nameInput.current?.select();
  }, [saving]);

  const done = (outcome: LibraryOutcome) => {
    if (outcome.ok) onClose();
    else if (outcome.message) setError(outcome.message);
  };
  const showError = useCallback((message: string) => setError(message), []);

  return (
    <div className="pg-modal-backdrop" onPointerDown={onClose}>
      <div
        className="pg-modal pg-library"
        role="dialog"
        aria-label="Graph library"
        data-testid="library"
        onPointerDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !app.ui.state.confirm) onClose();
        }}
      >
        <h3>Graph library</h3>
        <form
          className="pg-library-save"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(undefined);
            const outcome = await app.library.saveAs(name);
            setBusy(false);
            done(outcome);
          }}
        >
          <label>
            Save this graph as
            <input ref={nameInput} data-testid="library-name" value={name} placeholder="name" autoFocus={saving} onChange={(e) => setName(e.target.value)} />
          </label>
          <button className="pg-button pg-primary" data-testid="library-save-as" type="submit" disabled={busy}>
            Save
          </button>
        </form>
        {error && (
          <p className="pg-library-error" role="alert" data-testid="library-error">
            {error}
          </p>
        )}
        {!graphs ? (
          <p className="pg-muted">Loading…</p>
        ) : graphs.length === 0 ? (
          <p className="pg-muted" data-testid="library-empty">
            The library is empty. Save a graph into it above.
          </p>
        ) : (
          <table className="pg-library-list" data-testid="library-list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Updated</th>
                <th>Revisions</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {graphs.map((g) => (
                <LibraryRow key={g.name} app={app} graph={g} open={expanded === g.name} onToggle={() => setExpanded(expanded === g.name ? undefined : g.name)} onDone={done} onError={showError} />
              ))}
            </tbody>
          </table>
        )}
        <div className="pg-modal-buttons">
          <button className="pg-button" data-testid="library-close" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

function LibraryRow({
  app,
  graph,
  open,
  onToggle,
  onDone,
  onError,
}: {
  app: EditorApp;
  graph: LibraryGraph;
  open: boolean;
  onToggle(): void;
  onDone(outcome: LibraryOutcome): void;
  onError(message: string): void;
}) {
  return (
    <>
      <tr data-testid="library-row" data-name={graph.name}>
        <td>
          <strong data-testid="library-row-name">{graph.name}</strong>
          {graph.title && graph.title !== graph.name && <div className="pg-muted">{graph.title}</div>}
        </td>
        <td className="pg-muted" data-testid="library-row-updated">
          {when(graph.updatedAt)}
        </td>
        <td>
          <button className="pg-link" data-testid="library-revisions-toggle" aria-expanded={open} onClick={onToggle} title="Show the saved revisions">
            {graph.revision} {open ? '▾' : '▸'}
          </button>
        </td>
        <td>
          <button className="pg-button" data-testid="library-open" onClick={async () => onDone(await app.library.open(graph.name))}>
            Open
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={4}>
            <Revisions app={app} graph={graph} onOpened={() => onDone({ ok: true })} onError={onError} />
          </td>
        </tr>
      )}
    </>
  );
}
