/** Prompt scheduling as ADE reads and interpolates it; expected frames worked out by hand from ADE's rules. */
import { describe, expect, it } from 'vitest';
import { evaluatePromptSchedule, parsePromptSchedule, PromptScheduleError } from '../../src/motion/prompt-schedule.js';

/** An "encoder" that turns a prompt into a one-number embedding, so interpolation can be followed by hand. */
const VALUES: Record<string, number> = { a: 0, b: 1, c: 3 };
const encode = async (prompt: string) => Float32Array.of(VALUES[prompt] ?? Number.NaN);

async function frames(text: string, length = 0): Promise<number[]> {
  return (await evaluatePromptSchedule(parsePromptSchedule(text, length), encode)).map((e) => e[0]!);
}

function refusal(text: string, length = 0): string {
  try {
    parsePromptSchedule(text, length);
  } catch (err) {
    if (err instanceof PromptScheduleError) return err.message;
    throw err;
  }
  throw new Error('expected a PromptScheduleError');
}

describe('reading a prompt schedule', () => {
  it('reads JSON and pythonic keyframes, with or without braces', () => {
    const expected = [
      { idx: 0, prompt: 'a', hold: false },
      { idx: 8, prompt: 'b', hold: false },
    ];
    expect(parsePromptSchedule('"0": "a",\n"8": "b"', 0).keyframes).toEqual(expected);
    expect(parsePromptSchedule('{"0": "a", "8": "b"}', 0).keyframes).toEqual(expected);
    expect(parsePromptSchedule('0 = "a", 8 = "b"', 0)).toEqual({ keyframes: expected, length: 9 });
  });

  it('turns negative, fractional, range and hold indexes into frames', () => {
    const kf = (text: string, length: number) => parsePromptSchedule(text, length).keyframes.map((k) => [k.idx, k.prompt, k.hold]);
    expect(kf('"-1": "a"', 16)).toEqual([[15, 'a', false]]);
    expect(kf('"0.5": "a", "1.0": "b"', 16)).toEqual([
      [8, 'a', false],
      [15, 'b', false],
    ]);
    expect(kf('"2:5": "a"', 16)).toEqual([
      [2, 'a', false],
      [3, 'a', false],
      [4, 'a', false],
    ]);
    expect(kf('"4:": "a"', 16)).toEqual([[4, 'a', true]]);
  });

  it('adds prepend and append text with commas', () => {
    const [k] = parsePromptSchedule('"0": "a cat"', 0, { prepend: 'masterpiece,', append: ', 4k' }).keyframes;
    expect(k!.prompt).toBe('masterpiece, a cat, 4k');
  });
});

describe('bad keyframes are refused with what is wrong', () => {
  it('names the unreadable part and its position', () => {
    expect(refusal('"0": "a", "8" "b"')).toMatch(/unreadable part.*position 10 to 17: '"8" "b"'/);
  });

  it('refuses indexes that go backwards, start with a colon, or need a length', () => {
    expect(refusal('"8": "a", "0": "b"')).toContain('keyframes must go forward: frame 0 ("b") comes after frame 8');
    expect(refusal('":4": "a"')).toContain("cannot begin with ':'");
    expect(refusal('"0.5": "a"')).toContain('fractional indexes need max_length');
    expect(refusal('"-1": "a"')).toContain('negative indexes need max_length');
    expect(refusal('"1.5": "a"', 8)).toContain('between 0.0 and 1.0');
  });

  it('refuses an empty schedule', () => {
    expect(refusal('  ')).toContain('empty');
  });
});

describe('interpolating a schedule frame by frame', () => {
  it("lerps each frame from the previous frame's result, as ADE does (weights linspace(0, 1, 5))", async () => {
    // c0 = 0; c1 = 0·0.75 + 1·0.25 = 0.25; c2 = 0.25·0.5 + 0.5 = 0.625; c3 = 0.625·0.25 + 0.75 = 0.90625; c4 = 1.
    expect(await frames('"0": "a", "4": "b"')).toEqual([0, 0.25, 0.625, 0.90625, 1]);
  });

  it('gives frames before the first keyframe its prompt and frames after the last one the last prompt', async () => {
    expect(await frames('"2": "b", "3": "c"', 6)).toEqual([1, 1, 1, 3, 3, 3]);
  });

  it('holds a prompt up to the next keyframe without interpolating', async () => {
    expect(await frames('"0:": "a", "4": "b"')).toEqual([0, 0, 0, 0, 1]);
  });

  it('stops at the length, cutting an interpolation short', async () => {
    expect(await frames('"0": "a", "4": "b"', 3)).toEqual([0, 0.25, 0.625]);
  });

  it('encodes each distinct prompt once', async () => {
    const seen: string[] = [];
    await evaluatePromptSchedule(parsePromptSchedule('"0": "a", "2": "b", "4": "a"', 0), async (p) => {
      seen.push(p);
      return Float32Array.of(0);
    });
    expect(seen).toEqual(['a', 'b']);
  });
});
