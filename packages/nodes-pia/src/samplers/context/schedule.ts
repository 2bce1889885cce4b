/**
 * ADE's keyframe switching, used for chained context options and NaiveReuse keyframes: each item starts at
 * `start_percent` of the sampling, turned into a sigma (ComfyUI's `percent_to_sigma`: 0 % is above every sigma), and,
 * once current, stays for at least `guarantee_steps` model calls at new sigmas. At each new sigma, when the current item
 * has had its guaranteed calls, the following items whose start sigma is at or above the sigma are taken in turn,
 * stopping at the first with a guarantee (an item that started before the sampling's highest sigma guarantees
 * nothing).
 */

/** What a scheduled item needs. */
export interface Scheduled {
  readonly startPercent: number;
  readonly guaranteeSteps: number;
}

/** Sorted by start_percent, equal ones kept in the order given (ADE's `get_sorted_list_via_attr`). */
export function sortByStart<T extends Scheduled>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.startPercent - b.item.startPercent || a.i - b.i)
    .map(({ item }) => item);
}

/** The item in force as sampling proceeds (one tracker per sampling run). */
export class KeyframeTracker<T extends Scheduled> {
  private readonly items: readonly T[];
  private readonly starts: readonly number[];
  private index = 0;
  private used = 0;
  private previous: number | undefined;
  private maxSigma: number | undefined;

  /** `items` in any order; `percentToSigma` is the model sampling's. */
  constructor(items: readonly T[], percentToSigma: (percent: number) => number) {
    if (items.length === 0) throw new RangeError('a keyframe tracker needs at least one item');
    this.items = sortByStart(items);
    this.starts = this.items.map((item) => percentToSigma(item.startPercent));
  }

  /** The item in force now, before any call. */
  get current(): T {
    return this.items[this.index]!;
  }

  /** ADE's `get_effective_guarantee_steps`. */
  private guarantee(i: number): number {
    return this.starts[i]! > this.maxSigma! ? 0 : this.items[i]!.guaranteeSteps;
  }

  /**
   * Advances to the model call at `sigma` and returns the item in force for it. Calls at the sigma of the previous
   * call (the uncond/cond halves, a repeated evaluation) count once. The first sigma seen is taken as the sampling's
   * highest (samplers start at their largest sigma).
   */
  at(sigma: number): T {
    if (sigma === this.previous) return this.current;
    this.maxSigma ??= sigma;
    if (this.used >= this.guarantee(this.index)) {
      for (let i = this.index + 1; i < this.items.length; i++) {
        if (!(this.starts[i]! >= sigma)) break;
        this.index = i;
        this.used = 0;
        if (this.guarantee(i) > 0) break;
      }
    }
    this.used += 1;
    this.previous = sigma;
    return this.current;
  }
}

/** ADE's `ContextExtra.should_run`: the sigma lies within [end, start] of a start/end percent range. */
export function inPercentRange(sigma: number, startPercent: number, endPercent: number, percentToSigma: (percent: number) => number): boolean {
  return !(sigma > percentToSigma(startPercent) || sigma < percentToSigma(endPercent));
}
