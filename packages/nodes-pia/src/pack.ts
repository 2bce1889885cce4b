import type { AnyNodeDefinition, SocketTypeInfo } from '@piagraph/graph-core';
import {
  PackContext,
  affinityScheduleNode,
  clipTextEncodeNode,
  ddimSamplerNode,
  loadCheckpointNode,
  loadImageNode,
  piaAnimateNode,
  piaConditionNode,
  saveVideoNode,
  vaeDecodeNode,
  type PackSettings,
} from './nodes/index.js';
import type { Device } from './onnx/index.js';
import { contextOptionNodes } from './nodes/animatediff/context-options.js';
import { comfyCoreNodes } from './nodes/comfy-core/index.js';
import { animateDiffNodes } from './nodes/animatediff/index.js';
import { vhsNodes } from './nodes/vhs/index.js';

/** Where the pack finds and writes files, and what the host lends it; the server derives the folders from its data root. */
export interface PiaPackOptions extends PackSettings {
  /** `models/` root: `checkpoints/`, `pia/`, `tokenizer/`, and the built-graph cache `.cache/`. */
  readonly modelsDir: string;
  readonly inputDir: string;
  readonly outputDir: string;
  readonly tempDir: string;
  /** onnxruntime execution provider. */
  readonly device?: Device;
}

/** Socket types the pack adds to graph-core's built-in ones (for the editor's colours). */
export const PIA_SOCKET_TYPES: readonly SocketTypeInfo[] = [
  { name: 'PIA_CONDITION', color: '#9ccc65', description: 'The scaled condition-image latent and the per-frame affinity mask.' },
  { name: 'MASK', color: '#81c784', description: 'Masks `[B, H, W]` in 0..1.' },
  { name: 'CONTEXT_OPTIONS', color: '#e0a96d', description: 'How long animations are sampled in overlapping windows of frames.' },
];

/** A pack instance: its node definitions and the model store they share. */
export interface PiaPack {
  readonly nodes: AnyNodeDefinition[];
  readonly context: PackContext;
  /** Settles when what the pack writes at creation (the demo picture in `input/`) is written; never rejects. */
  readonly ready: Promise<void>;
  /**
   * Releases the loaded onnxruntime sessions (ComfyUI's `POST /free` `unload_models`, and shutdown). Call it
   * between runs: a running node would lose its sessions. The next run that needs a model loads it again. Waits for
   * {@link ready} first, so a host that removes its folders after releasing never races the creation write.
   */
  release(): Promise<void>;
}

/** Builds the pack with its shared state exposed, for hosts that release models; {@link createPiaNodes} gives the nodes only. */
export function createPiaPack(options: PiaPackOptions): PiaPack {
  const pack = new PackContext(options);
  const nodes: AnyNodeDefinition[] = [
    loadCheckpointNode(pack),
    clipTextEncodeNode(pack),
    loadImageNode(pack),
    affinityScheduleNode(pack),
    piaConditionNode(pack),
    ddimSamplerNode(pack),
    vaeDecodeNode(pack),
    saveVideoNode(pack),
    // Same inputs as VideoHelperSuite's Video Combine, so imported AnimateDiff workflows find their output node.
    saveVideoNode(pack, 'VHS_VideoCombine', 'AnimateDiff'),
    piaAnimateNode(pack),
    ...comfyCoreNodes(pack),
    ...contextOptionNodes(pack),
    ...animateDiffNodes(pack),
    ...vhsNodes(pack),
  ];
  const ready = pack.demoImageReady;
  return {
    nodes,
    context: pack,
    ready,
    release: async () => {
      await ready;
      await pack.release();
    },
  };
}

/** The node definitions of the PIA pack, bound to the host's folders. */
export function createPiaNodes(options: PiaPackOptions): AnyNodeDefinition[] {
  return createPiaPack(options).nodes;
}
