import { useMemo, useState } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { useUi } from '../app/ui-store.js';
import { searchNodes } from '../defs/node-search.js';
import { categoryTree, type CategoryTree, type NodeSchema } from '../defs/object-info.js';

function Category({ tree, add }: { tree: CategoryTree; add(schema: NodeSchema): void }) {
  return (
    <details className="pg-category" open={tree.path.split('/').length < 2}>
      <summary>{tree.name}</summary>
      {tree.children.map((child) => (
        <Category key={child.path} tree={child} add={add} />
      ))}
      {tree.nodes.map((schema) => (
        <PaletteItem key={schema.classType} schema={schema} add={add} />
      ))}
    </details>
  );
}

function PaletteItem({ schema, add }: { schema: NodeSchema; add(schema: NodeSchema): void }) {
  return (
    <button className="pg-palette-item" data-testid={`palette-${schema.classType}`} title={schema.description} onClick={() => add(schema)}>
      {schema.displayName}
    </button>
  );
}

/** The node library from `object_info`, grouped by category, with a filter; a click adds the node in free space in view. */
export function Palette({ app }: { app: EditorApp }) {
  const ui = useUi(app.ui);
  const [filter, setFilter] = useState('');
  const tree = useMemo(() => categoryTree(app.schemas.values()), [app.schemas, ui.ready]);
  const add = (schema: NodeSchema) => app.addNodeInFreeSpace(schema);
  return (
    <aside className="pg-palette" data-testid="palette">
      <input className="pg-palette-filter" placeholder="Filter nodes" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="pg-palette-list">
        {filter
          ? searchNodes(app.schemas.values(), filter).map((s) => <PaletteItem key={s.classType} schema={s} add={add} />)
          : [
              ...tree.children.map((child) => <Category key={child.path} tree={child} add={add} />),
              ...tree.nodes.map((s) => <PaletteItem key={s.classType} schema={s} add={add} />),
            ]}
      </div>
    </aside>
  );
}
