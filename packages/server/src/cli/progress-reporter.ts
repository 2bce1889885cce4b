import type { ApiPrompt, ExecutionEvent } from '@piagraph/graph-core';
import type { CliIo } from './cli-io.js';

const BAR_WIDTH = 24;

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Shows a run's progress: on a terminal, one bar per node redrawn in place; when piped, plain lines (a start and an
 * end line per node, progress at most every 10 %), so logs stay readable.
 */
export class ProgressReporter {
  private readonly tty: boolean;
  private current: { node: string; started: number } | undefined;
  private lastPercent = new Map<string, number>();

  constructor(
    private readonly io: CliIo,
    private readonly prompt: ApiPrompt,
  ) {
    this.tty = io.stdout.isTTY === true;
  }

  private label(node: string): string {
    const n = this.prompt[node];
    const title = n?._meta?.title;
    return `${node} ${n?.class_type ?? '?'}${title && title !== n?.class_type ? ` "${title}"` : ''}`;
  }

  private line(text: string): void {
    if (this.tty) this.io.stdout.write('\r\x1b[2K');
    this.io.stdout.write(`${text}\n`);
  }

  /** Feeds one executor event. */
  onEvent(event: ExecutionEvent): void {
    switch (event.type) {
      case 'execution_cached':
        if (event.data.nodes.length > 0) this.line(`cached   ${event.data.nodes.map((n) => this.label(n)).join(', ')}`);
        return;
      case 'executing':
        if (event.data.node === null) return;
        this.current = { node: event.data.node, started: Date.now() };
        if (this.tty) this.draw(event.data.node, 0, 1);
        else this.line(`running  ${this.label(event.data.node)}`);
        return;
      case 'progress':
        this.onProgress(event.data.node, event.data.value, event.data.max);
        return;
      case 'node_finished':
        if (event.data.cached) return;
        this.line(`done     ${this.label(event.data.node)} in ${formatMs(event.data.ms)}`);
        return;
      case 'execution_error':
        this.line(`failed   ${this.label(event.data.node_id)}: ${event.data.exception_type}: ${event.data.exception_message}`);
        return;
      case 'execution_interrupted':
        this.line(`interrupted${event.data.node_id ? ` at ${this.label(event.data.node_id)}` : ''}`);
        return;
      default:
    }
  }

  private onProgress(node: string, value: number, max: number): void {
    if (this.tty) {
      this.draw(node, value, max);
      return;
    }
    const percent = max > 0 ? Math.floor((value / max) * 100) : 0;
    const last = this.lastPercent.get(node) ?? -100;
    if (percent - last >= 10 || value === max) {
      this.lastPercent.set(node, percent);
      this.io.stdout.write(`progress ${this.label(node)} ${value}/${max}\n`);
    }
  }

  private draw(node: string, value: number, max: number): void {
    const fraction = max > 0 ? Math.min(1, value / max) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = this.current?.node === node ? Date.now() - this.current.started : 0;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const text = `${this.label(node)} ${bar} ${String(Math.round(fraction * 100)).padStart(3)}% ${value}/${max} ${formatMs(elapsed)}`;
    const width = this.io.stdout.columns ?? 100;
    this.io.stdout.write(`\r\x1b[2K${text.slice(0, Math.max(20, width - 1))}`);
  }
}
