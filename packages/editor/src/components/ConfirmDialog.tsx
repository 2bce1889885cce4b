import { useEffect, useRef } from 'react';
import type { UiState } from '../app/ui-store.js';

/** A modal yes/no question (`EditorApp.ask`): Enter or the first button agrees, Escape or Cancel declines. */
export function ConfirmDialog({ question }: { question: NonNullable<UiState['confirm']> }) {
  const ok = useRef<HTMLButtonElement>(null);
  useEffect(() => ok.current?.focus(), []);
  return (
    <div className="pg-modal-backdrop" onPointerDown={() => question.answer(false)}>
      <div
        className="pg-modal"
        role="dialog"
        aria-modal="true"
        data-testid="confirm-dialog"
        onPointerDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') question.answer(false);
        }}
      >
        <p>{question.text}</p>
        <div className="pg-modal-buttons">
          <button ref={ok} className="pg-button pg-primary" data-testid="confirm-ok" onClick={() => question.answer(true)}>
            {question.ok}
          </button>
          <button className="pg-button" data-testid="confirm-cancel" onClick={() => question.answer(false)}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
