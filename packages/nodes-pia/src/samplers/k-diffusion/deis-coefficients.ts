/**
 * DEIS "tab" coefficients (zju-pi's PyTorch port of Zhang & Chen's DEIS, as ComfyUI uses it): the σ schedule
 * is mapped to VP time t (EDM's σ_min 0.002, σ_max 80, ε_s 1e-3), and the coefficient of history point j over
 * [t_i, t_{i+1}] is the integral of -½ d log α/dτ / sqrt(α(1 - α)) times the Lagrange basis polynomial j,
 * approximated, as ComfyUI does, by a left Riemann sum on 10,000 linspace points. Computed in float64.
 */

const EPSILON_S = 1e-3;
const SIGMA_MIN = 0.002;
const SIGMA_MAX = 80;
const POINTS = 10000;

/** The VP schedule's β_min and β_d for EDM's σ range. */
function vpBetas(): { betaMin: number; betaD: number } {
  const betaD = (2 * (Math.log(SIGMA_MIN ** 2 + 1) / EPSILON_S - Math.log(SIGMA_MAX ** 2 + 1))) / (EPSILON_S - 1);
  const betaMin = Math.log(SIGMA_MAX ** 2 + 1) - 0.5 * betaD;
  return { betaMin, betaD };
}

/** The coefficient lists for each step (empty for first-order steps), newest history point first. */
export function deisCoefficients(sigmas: ArrayLike<number>, maxOrder: number): number[][] {
  const { betaMin, betaD } = vpBetas();
  const beta0 = betaMin;
  const beta1 = betaD + betaMin;
  const t = Array.from({ length: sigmas.length }, (_, i) => {
    const s = sigmas[i]!;
    return (Math.sqrt(betaMin ** 2 + 2 * betaD * Math.log(s * s + 1)) - betaMin) / betaD;
  });
  const integrand = (tau: number): number => {
    const alpha = Math.exp(-0.5 * tau * tau * (beta1 - beta0) - tau * beta0);
    const dLogAlpha = -(tau * (beta1 - beta0) + beta0);
    return (-0.5 * dLogAlpha) / Math.sqrt(alpha * (1 - alpha));
  };
  const out: number[][] = [];
  for (let i = 0; i < t.length - 1; i++) {
    const order = Math.min(i + 1, maxOrder);
    if (order === 1) {
      out.push([]);
      continue;
    }
    const tCur = t[i]!;
    const tNext = t[i + 1]!;
    const dtau = (tNext - tCur) / POINTS;
    const prev = Array.from({ length: order }, (_, k) => t[i - k]!);
    const sums = new Array<number>(order).fill(0);
    const step = (tNext - tCur) / (POINTS - 1);
    for (let p = 0; p < POINTS; p++) {
      const tau = p === POINTS - 1 ? tNext : tCur + step * p;
      const w = integrand(tau);
      for (let j = 0; j < order; j++) {
        let poly = 1;
        for (let k = 0; k < order; k++) if (k !== j) poly *= (tau - prev[k]!) / (prev[j]! - prev[k]!);
        sums[j]! += w * poly;
      }
    }
    out.push(sums.map((s) => s * dtau));
  }
  return out;
}
