import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import type { UiState } from '../app/ui-store.js';
import { searchNodes } from '../defs/node-search.js';
import type { NodeSchema } from '../defs/object-info.js';

interface Props {
  app: EditorApp;
  at: NonNullable<UiState['search']>;
  onClose(): void;
}

const WIDTH = 360;
/** The box's height with a full list; it is placed so that this much fits below or above the point. */
const MAX_HEIGHT = 420;

/**
 * ComfyUI's node search: opened by a double-click on the canvas, or by a wire dropped there (then it offers only
 * nodes that take the wire, and connects the chosen one). Fuzzy and ranked (`node-search.ts`); arrow keys move,
 * Enter adds; "no results" says so. Placed to stay inside the window.
 */
export function SearchBox({ app, at, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => input.current?.focus(), []);
  const filter = at.wire ? { needs: at.wire.side === 'output' ? ('input' as const) : ('output' as const), type: at.wire.type } : undefined;
  const results = searchNodes(app.schemas.values(), query, { ...(filter ? { filter } : {}), limit: 40 });
  useLayoutEffect(() => {
    list.current?.querySelector('.pg-active')?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  const choose = (schema: NodeSchema | undefined) => {
    onClose();
    if (!schema) return;
    if (at.wire) app.addNodeForWire(schema, at.graph, at.wire);
    else app.addNode(schema, at.graph);
  };
  const left = Math.max(8, Math.min(at.client.x, innerWidth - WIDTH - 8));
  const top = at.client.y + MAX_HEIGHT > innerHeight - 8 ? Math.max(8, innerHeight - 8 - MAX_HEIGHT) : at.client.y;
  return (
    <div className="pg-search-backdrop" onPointerDown={onClose}>
      <div className="pg-search" data-testid="node-search" style={{ left, top, width: WIDTH, maxHeight: Math.min(MAX_HEIGHT, innerHeight - 16) }} onPointerDown={(e) => e.stopPropagation()}>
        {at.wire && (
          <div className="pg-search-filter" data-testid="node-search-filter">
            Nodes that {at.wire.side === 'output' ? 'take' : 'give'} <span style={{ color: `var(--color-datatype-${at.wire.type})` }}>{at.wire.type}</span>
          </div>
        )}
        <input
          ref={input}
          data-testid="node-search-input"
          placeholder="Search nodes…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
            else if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            else if (e.key === 'Enter') choose(results[active]);
          }}
        />
        {results.length === 0 ? (
          <p className="pg-search-empty" data-testid="node-search-empty">
            No nodes match “{query}”.
          </p>
        ) : (
          <ul ref={list} className="pg-scroll">
            {results.map((schema, i) => (
              <li
                key={schema.classType}
                className={i === active ? 'pg-active' : ''}
                data-testid="node-search-result"
                data-class-type={schema.classType}
                onPointerEnter={() => setActive(i)}
                onClick={() => choose(schema)}
              >
                <span>{schema.displayName}</span>
                <small>{schema.category}</small>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
