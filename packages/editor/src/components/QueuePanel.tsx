import { useEffect, useState } from 'react';
import type { JobSummary } from '../api/http.js';
import type { EditorApp } from '../app/editor-app.js';
import { useUi } from '../app/ui-store.js';
import { mediaFromUi, viewUrl, type MediaItem } from '../store/run-state.js';

const VIDEO_EXT = /\.(mp4|webm|mov|mkv|m4v)$/i;

/** A file as a small picture: videos as a muted looping `<video>`, everything else as `<img>`. */
function Media({ item, className, testid }: { item: Pick<MediaItem, 'url' | 'kind' | 'filename'>; className: string; testid: string }) {
  return item.kind === 'video' ? (
    <video className={className} data-testid={testid} src={item.url} muted loop autoPlay playsInline />
  ) : (
    <img className={className} data-testid={testid} src={item.url} alt={item.filename} draggable={false} />
  );
}

const STATUS_LABEL: Record<JobSummary['status'], string> = {
  pending: 'queued',
  in_progress: 'running',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

function seconds(job: JobSummary): string | undefined {
  return job.startTime !== null && job.endTime !== null ? `${((job.endTime - job.startTime) / 1000).toFixed(1)} s` : undefined;
}

function HistoryEntry({ app, job }: { app: EditorApp; job: JobSummary }) {
  const preview = job.preview
    ? { url: viewUrl(job.preview), kind: VIDEO_EXT.test(job.preview.filename) ? ('video' as const) : ('image' as const), filename: job.preview.filename }
    : undefined;
  const time = new Date(job.endTime ?? job.createTime).toLocaleTimeString();
  return (
    <li className={`pg-history-item pg-job-${job.status}`} data-testid="history-item" data-job-id={job.id} data-status={job.status}>
      {preview ? <Media item={preview} className="pg-history-thumb" testid="history-thumb" /> : <div className="pg-history-thumb pg-empty-thumb" />}
      <div className="pg-history-text">
        <div>
          <span className={`pg-job-status pg-job-status-${job.status}`} data-testid="history-status">
            {STATUS_LABEL[job.status]}
          </span>
          {seconds(job) && <span className="pg-muted" data-testid="history-time"> · {seconds(job)}</span>}
        </div>
        <div className="pg-muted" title={job.error ?? job.id}>
          {time} · {job.id.slice(0, 8)}
        </div>
        {job.status !== 'pending' && job.status !== 'in_progress' && (
          <button className="pg-link" data-testid="history-open" onClick={() => void app.openJobGraph(job.id)}>
            Open graph
          </button>
        )}
      </div>
    </li>
  );
}

/** Every file recent runs produced, newest first; a click shows one large. */
function Gallery({ app }: { app: EditorApp }) {
  const ui = useUi(app.ui);
  const [items, setItems] = useState<MediaItem[]>([]);
  const [shown, setShown] = useState<MediaItem | undefined>();
  useEffect(() => {
    let live = true;
    void app.api
      .historyOutputs(50)
      .then((runs) => runs.flatMap((r) => Object.values(r.outputs).flatMap((ui) => mediaFromUi(ui))))
      .then((list) => live && setItems(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [app, ui.history]);
  return (
    <>
      {items.length === 0 && <p className="pg-muted">No outputs yet.</p>}
      <div className="pg-gallery" data-testid="gallery">
        {items.map((item) => (
          <button key={item.url} className="pg-gallery-item" data-testid="gallery-item" title={item.filename} onClick={() => setShown(item)}>
            <Media item={item} className="pg-gallery-media" testid="gallery-media" />
          </button>
        ))}
      </div>
      {shown && (
        <div className="pg-modal-backdrop" onPointerDown={() => setShown(undefined)}>
          <figure className="pg-viewer" data-testid="gallery-viewer" onPointerDown={(e) => e.stopPropagation()}>
            <Media item={shown} className="pg-viewer-media" testid="gallery-viewer-media" />
            <figcaption>
              <a href={shown.url} download={shown.filename}>
                {shown.filename}
              </a>
              <button className="pg-button" onClick={() => setShown(undefined)}>
                Close
              </button>
            </figcaption>
          </figure>
        </div>
      )}
    </>
  );
}

/** The queue (running and pending prompts, cancel, pause/resume), the run history and the output gallery. */
export function QueuePanel({ app }: { app: EditorApp }) {
  const ui = useUi(app.ui);
  const [tab, setTab] = useState<'history' | 'gallery'>('history');
  const { running, pending } = ui.queue;
  const finished = ui.history.filter((j) => j.status !== 'pending' && j.status !== 'in_progress');
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
          <li key={e.promptId} data-testid="queue-running" data-prompt-id={e.promptId}>
            <span className="pg-dot pg-dot-running" /> #{e.number} {e.promptId.slice(0, 8)}
            <button className="pg-link" onClick={() => void app.cancel(e.promptId, true)}>
              Interrupt
            </button>
          </li>
        ))}
        {pending.map((e) => (
          <li key={e.promptId} data-testid="queue-pending" data-prompt-id={e.promptId}>
            <span className="pg-dot" /> #{e.number} {e.promptId.slice(0, 8)}
            <button className="pg-link" onClick={() => void app.cancel(e.promptId, false)}>
              Cancel
            </button>
          </li>
        ))}
      </ul>
      <div className="pg-tabs-small">
        <button className={`pg-tab-small${tab === 'history' ? ' pg-on' : ''}`} data-testid="history-tab" onClick={() => setTab('history')}>
          History
        </button>
        <button className={`pg-tab-small${tab === 'gallery' ? ' pg-on' : ''}`} data-testid="gallery-tab" onClick={() => setTab('gallery')}>
          Gallery
        </button>
      </div>
      {tab === 'history' ? (
        <ul className="pg-history" data-testid="history">
          {finished.length === 0 && <p className="pg-muted">No runs yet.</p>}
          {finished.map((job) => (
            <HistoryEntry key={job.id} app={app} job={job} />
          ))}
        </ul>
      ) : (
        <Gallery app={app} />
      )}
    </aside>
  );
}
