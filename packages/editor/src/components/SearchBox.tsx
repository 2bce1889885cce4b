import { useEffect, useRef, useState } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { searchSchemas, type NodeSchema } from '../defs/object-info.js';

interface Props {
  app: EditorApp;
  at: { client: { x: number; y: number }; graph: { x: number; y: number } };
  onClose(): void;
}

/** ComfyUI's double-click search: type, move with the arrow keys, Enter adds the node where you clicked. */
export function SearchBox({ app, at, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const results = searchSchemas(app.schemas.values(), query, 12);
  const choose = (schema: NodeSchema | undefined) => {
    if (schema) app.addNode(schema, at.graph);
    onClose();
  };
  return (
    <div className="pg-search-backdrop" onPointerDown={onClose}>
      <div
        className="pg-search"
        data-testid="node-search"
        style={{ left: at.client.x, top: at.client.y }}
        onPointerDown={(e) => e.stopPropagation()}
      >
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
        <ul>
          {results.map((schema, i) => (
            <li
              key={schema.classType}
              className={i === active ? 'pg-active' : ''}
              data-testid="node-search-result"
              onPointerEnter={() => setActive(i)}
              onClick={() => choose(schema)}
            >
              <span>{schema.displayName}</span>
              <small>{schema.category}</small>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
