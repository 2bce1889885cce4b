import { useSyncExternalStore } from 'react';
import type { EditorApp } from '../app/editor-app.js';
import { GROUP_TITLE_HEIGHT } from '../canvas/groups.js';
import { updateGroup } from '../document/edits.js';
import { useDocument } from '../store/hooks.js';
import { TitleEditor } from './TitleEditor.js';

/** The document's groups: a tinted frame with a title bar (drag it to move the group and its nodes) and a resize corner. */
export function GroupLayer({ app }: { app: EditorApp }) {
  const doc = useDocument(app.docs);
  const renaming = useSyncExternalStore(app.canvas.subscribe, () => app.canvas.renamingGroup);
  return (
    <>
      {Object.values(doc.groups ?? {}).map((g) => (
        <div
          key={g.id}
          className="pg-group"
          data-testid="group"
          data-group-id={g.id}
          style={{
            left: g.bounds.x,
            top: g.bounds.y,
            width: g.bounds.width,
            height: g.bounds.height,
            ['--group-colour' as string]: g.color ?? '#3f789e',
          }}
        >
          <div className="pg-group-title" data-testid="group-title" style={{ height: GROUP_TITLE_HEIGHT }}>
            {renaming === g.id ? (
              <TitleEditor
                className="pg-group-title-input"
                initial={g.title}
                onDone={(title) => {
                  app.canvas.setRenamingGroup(undefined);
                  if (title) app.edit('Rename group', (d) => updateGroup(d, g.id, { title }));
                }}
              />
            ) : (
              g.title
            )}
          </div>
          <div className="pg-group-resize" title="Resize group" />
        </div>
      ))}
    </>
  );
}
