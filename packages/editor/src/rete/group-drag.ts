/**
 * How a press on a node treats the selection, as in ComfyUI: a plain press on a node that is already selected keeps
 * the whole selection (so dragging it moves every selected node); released without a move, the selection narrows to
 * that node. A press with the accumulate key (Ctrl/⌘), or on an unselected node, behaves as Rete's default picking.
 *
 * Pure state, fed by the area's `nodepicked`, `nodetranslated` and `nodedragged` signals (see `create-editor.ts`).
 */
export class GroupDrag {
  private pressed: string | undefined;
  private keep = false;
  private moved = false;

  /** @param accumulateKey Whether the accumulate key (Ctrl/⌘) is held now. */
  constructor(private readonly accumulateKey: () => boolean) {}

  /** A node was pressed; `selected` is whether it was selected before the press. */
  press(id: string, selected: boolean): void {
    this.pressed = id;
    this.keep = selected && !this.accumulateKey();
    this.moved = false;
  }

  /** Whether the press being handled adds to the selection instead of replacing it (Rete's `accumulating`). */
  accumulates(): boolean {
    return this.accumulateKey() || this.keep;
  }

  /** A node moved on the canvas. */
  translated(id: string): void {
    if (id === this.pressed) this.moved = true;
  }

  /**
   * The pressed node was released. Returns the id the selection narrows to: set only for a plain click (no move)
   * on a node that was already selected.
   */
  release(): string | undefined {
    const narrow = this.pressed !== undefined && this.keep && !this.moved ? this.pressed : undefined;
    this.pressed = undefined;
    this.keep = this.moved = false;
    return narrow;
  }
}
