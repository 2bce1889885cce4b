/**
 * Meta-batching (VideoHelperSuite's Meta Batch Manager): a video too long to hold is processed `frames_per_batch`
 * frames at a time, one pass of the whole graph per chunk. The manager's value, a {@link MetaBatch}, is one object
 * for every pass of a run (kept with `ctx.passes.keep`): the loaders tied to it keep their decoder open in it and
 * hand out the next chunk each pass, asking for another pass while frames remain; Video Combine keeps its encoder
 * open in it and finishes one file in the last pass. When the run ends, whatever is still open is stopped (a failed
 * or interrupted run leaves no ffmpeg behind and no partial file).
 */
import type { RunContext, RunPasses, RunStatus } from '@piagraph/graph-core';
import { PipelineError } from '../../pipeline/errors.js';

/** Something a loader keeps open between passes. */
export interface OpenSource {
  close(): Promise<void>;
}

/** Something an output node keeps open between passes; aborted when the run ends before it was finished. */
export interface OpenSink {
  abort(): Promise<void>;
}

interface LoaderReport {
  readonly node: string;
  readonly frames: number;
  readonly more: boolean;
}

const describeReport = (r: LoaderReport): string => `node ${r.node} gave ${r.frames} frames ${r.more ? 'with more to come' : 'and ran out'}`;

export class MetaBatch {
  readonly kind = 'meta-batch';
  readonly #sources = new Map<string, Promise<OpenSource>>();
  readonly #sinks = new Map<string, OpenSink>();
  /** The loaders' chunks in the pass `#reportsPass`. */
  #reports: LoaderReport[] = [];
  #reportsPass = -1;
  /** The pass in which the loaders ran out of frames. */
  #lastPass: number | undefined;

  constructor(
    readonly framesPerBatch: number,
    /** The manager's node id, named in errors. */
    readonly managerId: string,
  ) {}

  /**
   * The source loader `node` keeps open, opened by `open` the first time. Fails when the graph runs a pass after
   * this batch's loaders ran out (another manager with more chunks asked for it).
   */
  source<T extends OpenSource>(pass: number, node: string, open: () => Promise<T>): Promise<T> {
    if (this.#lastPass !== undefined && pass > this.#lastPass) {
      throw new PipelineError(
        'bad-option',
        `meta_batch: the loaders of Meta Batch Manager ${this.managerId} ran out of frames after batch ${this.#lastPass + 1}, ` +
          `but another node asked for batch ${pass + 1}; meta batches in one graph must have the same number of batches`,
        {},
        'meta_batch',
      );
    }
    let source = this.#sources.get(node);
    if (!source) {
      source = open();
      this.#sources.set(node, source);
    }
    return source as Promise<T>;
  }

  /**
   * Records the chunk loader `node` gave in `pass`. Every loader on one manager must give the same number of frames
   * each pass and run out in the same pass, or the chunks would no longer line up; otherwise this throws naming
   * `meta_batch`.
   */
  report(pass: number, node: string, frames: number, more: boolean): void {
    if (pass !== this.#reportsPass) {
      this.#reportsPass = pass;
      this.#reports = [];
    }
    const report = { node, frames, more };
    const first = this.#reports[0];
    this.#reports.push(report);
    if (first && (first.frames !== frames || first.more !== more)) {
      throw new PipelineError(
        'bad-option',
        `meta_batch: the loaders sharing Meta Batch Manager ${this.managerId} have different lengths: in batch ${pass + 1} ` +
          `${describeReport(first)}, ${describeReport(report)}; load the same number of frames (frame_load_cap) or give each its own manager`,
        {},
        'meta_batch',
      );
    }
    if (!more) this.#lastPass = pass;
  }

  /** Whether `pass` is the last one (its loaders ran out); fails when no loader on this batch has run in it yet. */
  isLastPass(pass: number): boolean {
    const first = this.#reportsPass === pass ? this.#reports[0] : undefined;
    if (!first) {
      throw new PipelineError(
        'bad-option',
        `meta_batch: no loader on Meta Batch Manager ${this.managerId} ran before this node in batch ${pass + 1}; ` +
          'its frames must come from a Load Video or Load Images with the same meta_batch',
        {},
        'meta_batch',
      );
    }
    return !first.more;
  }

  /** The sink output node `node` keeps open, if any. */
  sink<T extends OpenSink>(node: string): T | undefined {
    return this.#sinks.get(node) as T | undefined;
  }

  /** Keeps `sink` open for `node` until it is dropped (finished) or the run ends. */
  keepSink(node: string, sink: OpenSink): void {
    this.#sinks.set(node, sink);
  }

  dropSink(node: string): void {
    this.#sinks.delete(node);
  }

  /** Stops every source and aborts every sink still open: the run has ended (`status` is how, for the record). */
  async close(_status: RunStatus): Promise<void> {
    const sources = [...this.#sources.values()];
    const sinks = [...this.#sinks.values()];
    this.#sources.clear();
    this.#sinks.clear();
    const closing = sources.map(async (source) => (await source.catch(() => undefined))?.close());
    await Promise.all([...closing, ...sinks.map((sink) => sink.abort())].map((done) => done.catch(() => undefined)));
  }
}

/** The passes of the run, or an error naming `meta_batch` when the host runs graphs in a single pass. */
export function metaBatchPasses(ctx: RunContext): RunPasses {
  if (!ctx.passes) {
    throw new PipelineError('unsupported', 'meta_batch: this host runs a graph in one pass; meta-batching needs the piagraph executor', {}, 'meta_batch');
  }
  return ctx.passes;
}
