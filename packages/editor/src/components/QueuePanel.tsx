import type { EditorApp } from '../app/editor-app.js';
import { useUi } from '../app/ui-store.js';

/** Running and pending prompts, with cancel, and pause/resume of the whole queue. */
export function QueuePanel({ app }: { app: EditorApp }) {
  const ui = useUi(app.ui);
  const { running, pending } = ui.queue;
  return (
    <aside className="pg-queue" data-testid="queue-panel">
      <div className="pg-queue-head">
        <strong>Queue</strong>
        <button className="pg-button" data-testid="pause" onClick={() => void app.setPaused(!ui.paused)}>
          {ui.paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      {running.length === 0 && pending.length === 0 && <p className="pg-muted">Nothing queued.</p>}
      <ul>
        {running.map((e) => (
          <li key={e.promptId} data-testid="queue-running">
            <span className="pg-dot pg-dot-running" /> #{e.number} {e.promptId.slice(0, 8)}
            <button className="pg-link" onClick={() => void app.cancel(e.promptId, true)}>Interrupt</button>
          </li>
        ))}
        {pending.map((e) => (
          <li key={e.promptId} data-testid="queue-pending">
            <span className="pg-dot" /> #{e.number} {e.promptId.slice(0, 8)}
            <button className="pg-link" onClick={() => void app.cancel(e.promptId, false)}>Cancel</button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
