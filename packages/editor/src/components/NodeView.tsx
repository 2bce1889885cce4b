import { Presets, type RenderEmit } from 'rete-react-plugin';
import type { DocNode } from '@piagraph/graph-core';
import type { InputSchema } from '../defs/object-info.js';
import { seedControlOf } from '../document/seed-control.js';
import { useDocGeneration, useDocNode, useInputsRevision, useLinkedInputs, useNodeRun } from '../store/hooks.js';
import type { NodeRunState } from '../store/run-state.js';
import type { EditorNode, Schemes } from '../rete/schemes.js';
import type { NodeServices } from './node-services.js';
import { OutputMedia } from './OutputMedia.js';
import { BooleanWidget, ComboWidget, ImageUpload, NoDrag, NumberWidget, SeedControlWidget, TextWidget } from './Widgets.js';

const { RefSocket } = Presets.classic;

interface Props {
  data: EditorNode;
  emit: RenderEmit<Schemes>;
}

/** Load Image's upload button and thumbnail, reloaded whenever input files may have changed. */
function ImageUploadWidget({ node, input, services }: { node: DocNode; input: string; services: NodeServices }) {
  const revision = useInputsRevision(services.runs);
  return (
    <ImageUpload
      filename={String(node.values[input] ?? '')}
      revision={revision}
      onUpload={(f) => services.uploadImage(node.id, input, f)}
    />
  );
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
          {seed && (
            <SeedControlWidget
              value={seedControlOf(services.docs.doc, node.id, input.name)}
              onChange={(c) => services.setSeedControl(node.id, input.name, c)}
            />
          )}
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

function NodeBody({ data, emit, services }: Props & { services: NodeServices }) {
  const node = useDocNode(services.docs, data.id);
  const linked = useLinkedInputs(services.docs, data.id);
  const run = useNodeRun(services.runs, data.id);
  const generation = useDocGeneration(services.docs);
  if (!node) return null;
  const schema = data.schema;
  const inputs: InputSchema[] =
    schema?.inputs ?? Object.entries(data.inputs).map(([name, i]) => ({ name, spec: { type: i!.socket.type }, required: true, widget: false }));
  const classes = ['pg-node', `pg-phase-${run.phase}`];
  if (data.selected) classes.push('pg-selected');
  if (node.mode) classes.push(`pg-mode-${node.mode}`);
  if (!schema) classes.push('pg-missing');
  const progress = run.phase === 'running' && run.progress && run.progress.max > 0 ? run.progress : undefined;
  return (
    <div
      className={classes.join(' ')}
      style={{ width: data.width }}
      data-testid="node"
      data-node-id={node.id}
      data-node-type={node.classType}
      data-phase={run.phase}
    >
      <div className="pg-node-title" data-testid="title" title={schema?.description}>
        {node.title ?? data.label}
        <span className="pg-node-id">#{node.id}</span>
        <StatusBadge run={run} />
      </div>
      {progress && (
        <div className="pg-progress" data-testid="progress" role="progressbar" aria-valuenow={progress.value} aria-valuemax={progress.max}>
          <div className="pg-progress-bar" style={{ width: `${(100 * progress.value) / progress.max}%` }} />
        </div>
      )}
      {!schema && <div className="pg-node-warning">Unknown node type {node.classType}</div>}
      {Object.entries(data.outputs).map(([key, output]) => (
        <div className="pg-port pg-output" key={key} data-testid={`output-${key}`}>
          <span className="pg-port-title" data-testid="output-title">
            {output!.label}
          </span>
          <RefSocket name="output-socket" side="output" socketKey={key} nodeId={data.id} emit={emit} payload={output!.socket} data-testid="output-socket" />
        </div>
      ))}
      {inputs.map((input) => {
        const port = data.inputs[input.name];
        const isLinked = linked.has(input.name);
        const error = run.error?.inputs[input.name];
        return (
          <div
            className={`pg-port pg-input${isLinked ? ' pg-linked' : ''}${error ? ' pg-input-error' : ''}`}
            key={input.name}
            data-testid={`input-${input.name}`}
          >
            {port && <RefSocket name="input-socket" side="input" socketKey={input.name} nodeId={data.id} emit={emit} payload={port.socket} data-testid="input-socket" />}
            {input.widget && !isLinked ? (
              // Keyed by the document's generation: a newly opened graph gets fresh widgets, not the old ones' text.
              <NoDrag className="pg-control" key={generation}>
                <div data-testid={`control-${input.name}`}>
                  <Widget input={input} node={node} services={services} generation={generation} />
                </div>
              </NoDrag>
            ) : (
              <span className="pg-port-title" data-testid="input-title">
                {input.name}
              </span>
            )}
            {error && (
              <div className="pg-input-message" data-testid="input-error">
                {error}
              </div>
            )}
          </div>
        );
      })}
      {run.error && (
        <div className="pg-node-error" data-testid="node-error">
          {run.error.message}
        </div>
      )}
      {run.text && <div className="pg-node-text">{run.text}</div>}
      {run.phase === 'running' && run.previewUrl && <img className="pg-preview" data-testid="preview" src={run.previewUrl} alt="sampler preview" />}
      {run.outputs && run.outputs.length > 0 && <OutputMedia items={run.outputs} />}
    </div>
  );
}

/** Builds the node component Rete renders for every node, bound to the editor's stores and actions. */
export function makeNodeComponent(services: NodeServices) {
  return function NodeView(props: Props) {
    return <NodeBody {...props} services={services} />;
  };
}
