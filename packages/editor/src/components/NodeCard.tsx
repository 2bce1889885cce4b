import { memo, useSyncExternalStore, type CSSProperties } from 'react';
import type { DocNode } from '@piagraph/graph-core';
import type { CanvasController } from '../canvas/controller.js';
import { NOTE, REROUTE, ROW_HEIGHT, TITLE_HEIGHT, type LayoutRow, type NodeLayout } from '../canvas/node-layout.js';
import type { InputSchema, NodeSchema } from '../defs/object-info.js';
import { cssTypeName, socketColor } from '../defs/socket-types.js';
import { seedControlOf } from '../document/seed-control.js';
import { useDocGeneration, useDocNode, useInputsRevision, useLinkedInputs, useNodeRun } from '../store/hooks.js';
import type { NodeRunState } from '../store/run-state.js';
import type { NodeServices } from './node-services.js';
import { OutputMedia } from './OutputMedia.js';
import { TitleEditor } from './TitleEditor.js';
import { BooleanWidget, ComboWidget, ImageUpload, NumberWidget, SeedControlWidget, TextWidget } from './Widgets.js';

interface CardProps {
  id: string;
  ctrl: CanvasController;
  services: NodeServices;
}

/** A socket dot coloured by its type; `data-side`/`data-key` tell the gestures which socket it is. */
function Socket({ side, socketKey, type, tooltip }: { side: 'input' | 'output'; socketKey: string; type: string; tooltip?: string }) {
  return (
    <div
      className={`pg-socket pg-socket-${side}`}
      data-testid={`${side}-socket`}
      data-side={side}
      data-key={socketKey}
      data-socket-type={type}
      data-tooltip={tooltip ? `${type}: ${tooltip}` : type}
      style={{ background: `var(--color-datatype-${cssTypeName(type)}, ${socketColor(type)})` }}
    />
  );
}

/** Load Image's upload button and thumbnail, reloaded whenever input files may have changed. */
function ImageUploadWidget({ node, input, services }: { node: DocNode; input: string; services: NodeServices }) {
  const revision = useInputsRevision(services.runs);
  return <ImageUpload filename={String(node.values[input] ?? '')} revision={revision} onUpload={(f) => services.uploadImage(node.id, input, f)} />;
}

function Widget({ input, node, services, generation }: { input: InputSchema; node: DocNode; services: NodeServices; generation: number }) {
  const value = node.values[input.name];
  const onChange = (v: Parameters<NodeServices['setValue']>[2]) => services.setValue(node.id, input.name, v, generation);
  const spec = input.spec;
  switch (spec.type) {
    case 'INT':
    case 'FLOAT': {
      const num = spec as Extract<typeof spec, { type: 'INT' | 'FLOAT' }>;
      const seed = num.type === 'INT' && num.control_after_generate;
      return (
        <>
          <NumberWidget name={input.name} spec={num} value={value} onChange={onChange} />
          {seed && <SeedControlWidget value={seedControlOf(services.docs.doc, node.id, input.name)} onChange={(c) => services.setSeedControl(node.id, input.name, c)} />}
        </>
      );
    }
    case 'STRING':
      return <TextWidget name={input.name} spec={spec as never} value={value} onChange={onChange} />;
    case 'BOOLEAN':
      return <BooleanWidget name={input.name} spec={spec as never} value={value} onChange={onChange} />;
    default: {
      const upload = (spec as { image_upload?: boolean }).image_upload;
      return (
        <>
          <ComboWidget name={input.name} spec={spec} value={value} onChange={onChange} />
          {upload && <ImageUploadWidget node={node} input={input.name} services={services} />}
        </>
      );
    }
  }
}

function StatusBadge({ run }: { run: NodeRunState }) {
  if (run.phase === 'cached') return <span className="pg-badge pg-badge-cached">cached</span>;
  if (run.phase === 'done' && run.ms !== undefined) return <span className="pg-badge">{(run.ms / 1000).toFixed(2)} s</span>;
  return null;
}

function Row({ row, layout, node, services, generation, error }: { row: LayoutRow; layout: NodeLayout; node: DocNode; services: NodeServices; generation: number; error?: string | undefined }) {
  if (row.kind === 'slots') {
    const output = row.output !== undefined ? layout.outputTypes[row.output] : undefined;
    return (
      <div className="pg-row pg-slot-row" style={{ top: row.top - TITLE_HEIGHT, height: ROW_HEIGHT }}>
        {row.input !== undefined && (
          <div className={`pg-port pg-input${error ? ' pg-input-error' : ''}`} data-testid={`input-${row.input}`}>
            <Socket side="input" socketKey={row.input} type={row.inputType ?? '*'} tooltip={services.inputTooltip(node.classType, row.input)} />
            <span className="pg-port-title" data-testid="input-title">
              {row.input}
            </span>
            {error && <InputError text={error} />}
          </div>
        )}
        {row.output !== undefined && (
          <div className="pg-port pg-output" data-testid={`output-${row.output}`}>
            <span className="pg-port-title" data-testid="output-title">
              {services.outputName(node.classType, row.output)}
            </span>
            <Socket side="output" socketKey={String(row.output)} type={output ?? '*'} />
          </div>
        )}
      </div>
    );
  }
  const { input } = row;
  const tooltip = services.inputTooltip(node.classType, input.name);
  return (
    <div className={`pg-row pg-port pg-input pg-widget-row${row.linked ? ' pg-linked' : ''}${error ? ' pg-input-error' : ''}`} data-testid={`input-${input.name}`} style={{ top: row.top - TITLE_HEIGHT, height: row.height }} {...(tooltip ? { 'data-tooltip': tooltip } : {})}>
      <Socket side="input" socketKey={input.name} type={input.spec.type} tooltip={tooltip} />
      {row.linked ? (
        <span className="pg-port-title" data-testid="input-title">
          {input.name}
        </span>
      ) : (
        // Keyed by the document's generation: a newly opened graph gets fresh widgets, not the old ones' text.
        <div className="pg-control" key={generation} data-testid={`control-${input.name}`}>
          <Widget input={input} node={node} services={services} generation={generation} />
        </div>
      )}
      {error && <InputError text={error} />}
    </div>
  );
}

function InputError({ text }: { text: string }) {
  return (
    <span className="pg-input-badge" data-testid="input-error" title={text}>
      !
    </span>
  );
}

function NoteBody({ node, services, generation }: { node: DocNode; services: NodeServices; generation: number }) {
  return (
    <div className="pg-note-body" key={generation}>
      <TextWidget
        name="text"
        spec={{ type: 'STRING', multiline: true, placeholder: 'Note…' } as never}
        value={node.values['text']}
        onChange={(v) => services.setValue(node.id, 'text', v, generation)}
        bare
      />
    </div>
  );
}

/** One node as a card: title, slot and widget rows at their layout offsets, then run results. */
function NodeCardView({ id, ctrl, services }: CardProps) {
  const node = useDocNode(services.docs, id);
  useLinkedInputs(services.docs, id);
  const run = useNodeRun(services.runs, id);
  const generation = useDocGeneration(services.docs);
  const selected = useSyncExternalStore(ctrl.subscribe, () => ctrl.selection.has(id));
  const renaming = useSyncExternalStore(ctrl.subscribe, () => ctrl.renaming === id);
  const layout = node ? ctrl.scene.layout(id) : undefined;
  if (!node || !layout) return null;
  const schema: NodeSchema | undefined = services.schema(node.classType);
  const at = ctrl.scene.position(id)!;
  const classes = ['pg-node', `pg-phase-${run.phase}`];
  if (selected) classes.push('pg-selected');
  if (node.mode) classes.push(`pg-mode-${node.mode}`);
  if (layout.collapsed) classes.push('pg-collapsed');
  if (node.classType === REROUTE) classes.push('pg-reroute');
  else if (node.classType === NOTE) classes.push('pg-note');
  else if (!schema) classes.push('pg-missing');
  const pinned = node.ui?.['pinned'] === true;
  const colour = node.ui?.['color'] as string | undefined;
  const bg = node.ui?.['bgcolor'] as string | undefined;
  // Placed by left/top, not a transform: a transform per card made Chrome give most cards a compositing layer of
  // their own (64 layers for 36 cards), which made every pan frame slow to commit.
  const style: CSSProperties = { left: at.x, top: at.y, width: layout.width, minHeight: layout.height };
  if (bg) style.background = bg;
  const ref = (el: HTMLDivElement | null) => ctrl.nodeElement(id, el);
  const common = { ref, className: classes.join(' '), style, 'data-testid': 'node', 'data-node-id': id, 'data-node-type': node.classType, 'data-phase': run.phase };

  if (node.classType === REROUTE) {
    return (
      <div {...common}>
        <Socket side="input" socketKey="input" type={ctrl.scene.outputType(id, 0) ?? '*'} />
        <Socket side="output" socketKey="0" type={ctrl.scene.outputType(id, 0) ?? '*'} />
      </div>
    );
  }

  const progress = run.phase === 'running' && run.progress && run.progress.max > 0 ? run.progress : undefined;
  const title = node.title ?? schema?.displayName ?? (node.classType === NOTE ? 'Note' : node.classType);
  return (
    <div {...common}>
      <div className="pg-node-title" data-testid="title" {...(schema?.description ? { 'data-tooltip': schema.description } : {})} style={{ height: TITLE_HEIGHT, ...(colour ? { background: colour } : {}) }}>
        {renaming ? (
          <TitleEditor initial={title} onDone={(t) => services.finishRename(id, t)} />
        ) : (
          <span className="pg-node-title-text">{title}</span>
        )}
        <span className="pg-node-id">#{node.id}</span>
        {pinned && (
          <span className="pg-pin" data-testid="pinned" title="Pinned">
            📌
          </span>
        )}
        <StatusBadge run={run} />
        {layout.collapsed && Object.entries(layout.inputs).map(([name]) => <span key={`i${name}`} className="pg-collapsed-socket" />)}
        {progress && (
          <div className="pg-progress" data-testid="progress" role="progressbar" aria-valuenow={progress.value} aria-valuemax={progress.max}>
            <div className="pg-progress-bar" style={{ width: `${(100 * progress.value) / progress.max}%` }} />
          </div>
        )}
      </div>
      {layout.collapsed ? null : node.classType === NOTE ? (
        <NoteBody node={node} services={services} generation={generation} />
      ) : (
        <>
          <div className="pg-rows" style={{ height: layout.rowsHeight }}>
            {layout.rows.map((row) => (
              <Row
                key={row.kind === 'slots' ? `s${row.top}` : row.input.name}
                row={row}
                layout={layout}
                node={node}
                services={services}
                generation={generation}
                error={row.kind === 'slots' ? (row.input !== undefined ? run.error?.inputs[row.input] : undefined) : run.error?.inputs[row.input.name]}
              />
            ))}
          </div>
          {!schema && <div className="pg-node-warning">Unknown node type {node.classType}</div>}
          {run.error && (
            <div className="pg-node-error" data-testid="node-error">
              {run.error.message}
            </div>
          )}
          {run.text && <div className="pg-node-text">{run.text}</div>}
          {run.phase === 'running' && run.previewUrl && <img className="pg-preview" data-testid="preview" src={run.previewUrl} alt="sampler preview" draggable={false} />}
          {run.outputs && run.outputs.length > 0 && <OutputMedia items={run.outputs} />}
        </>
      )}
      {!layout.collapsed && !pinned && <div className="pg-resize-handle" title="Resize" />}
    </div>
  );
}

/** A node card; re-renders only when its own document record, run state, selection or links change. */
export const NodeCard = memo(NodeCardView);
