/** Dense solves for the tiny (≤ 4×4) systems of SA-Solver and UniPC, in float64 with partial pivoting. */

/** Solves A·x = b for square A (rows of numbers); throws on a singular matrix. */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (m[pivot]![col] === 0) throw new Error('singular matrix in a sampler coefficient solve');
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const row = m[col]!;
    for (let r = col + 1; r < n; r++) {
      const factor = m[r]![col]! / row[col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= factor * row[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}
