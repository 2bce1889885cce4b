/**
 * float32 scalar arithmetic as PyTorch does it on 0-d float32 tensors (sigmas, step sizes, coefficients):
 * every operation rounded to float32. Samplers compute their per-step coefficients this way so that the
 * cancellations ComfyUI suffers (e.g. `1 - exp(2·log α)` near σ = 0) are reproduced, not improved on.
 * Transcendentals are computed in float64 and rounded once, which is what a correctly rounded float32
 * libm returns and differs from glibc/Sleef by at most one ulp on rare inputs.
 */
export const f = Math.fround;

export const fexp = (x: number): number => f(Math.exp(x));
export const flog = (x: number): number => f(Math.log(x));
export const fexpm1 = (x: number): number => f(Math.expm1(x));
export const fsqrt = (x: number): number => f(Math.sqrt(x));
export const fadd = (a: number, b: number): number => f(a + b);
export const fsub = (a: number, b: number): number => f(a - b);
export const fmul = (a: number, b: number): number => f(a * b);
export const fdiv = (a: number, b: number): number => f(a / b);
