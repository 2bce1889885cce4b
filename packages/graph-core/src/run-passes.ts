import type { RunStatus } from './types/execution.js';
import type { RunPasses } from './types/node-def.js';

interface Kept {
  readonly value: unknown;
  readonly dispose: ((value: unknown, status: RunStatus) => void | Promise<void>) | undefined;
}

/**
 * The passes of one `Executor.run` (see `RunPasses`): which pass is running, whether a node asked for another, and
 * the values nodes keep across passes until the run ends.
 */
export class RunPassState {
  #index = 0;
  #wanted = false;
  readonly #kept = new Map<string, Kept>();
  /** What nodes get as `ctx.passes`; one object for the whole run, its `index` follows the running pass. */
  readonly view: RunPasses;

  constructor() {
    const state = this;
    this.view = {
      get index() {
        return state.#index;
      },
      again: () => {
        this.#wanted = true;
      },
      keep: <T>(key: string, create: () => T, dispose?: (value: T, status: RunStatus) => void | Promise<void>): T => {
        const found = this.#kept.get(key);
        if (found) return found.value as T;
        const value = create();
        this.#kept.set(key, { value, dispose: dispose as Kept['dispose'] });
        return value;
      },
    };
  }

  get index(): number {
    return this.#index;
  }

  /** Whether a node of the running pass asked for another. */
  get wanted(): boolean {
    return this.#wanted;
  }

  /** Moves on to the next pass. */
  next(): void {
    this.#index += 1;
    this.#wanted = false;
  }

  /**
   * Hands every kept value to its `dispose`, newest first. A failing `dispose` is ignored: the run has ended and
   * reported its outcome, and the others must still get their turn (they stop processes and remove partial files).
   */
  async dispose(status: RunStatus): Promise<void> {
    const kept = [...this.#kept.values()].reverse();
    this.#kept.clear();
    for (const { value, dispose } of kept) {
      try {
        await dispose?.(value, status);
      } catch {
        // See above: nothing left to report it to.
      }
    }
  }
}
