/** Element-wise ops: arithmetic with broadcasting, unary functions, Where, Cast, and activations built from them. */
import type { DType } from './dtype.js';
import { checkDType } from './dtype.js';
import { GraphBase, type Operand } from './graph-base.js';
import { type Value, attr } from './value.js';

const CAST_TO: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

/** Arithmetic and unary ops. Numbers given as operands become scalar constants of the other operand's dtype. */
export class ElementwiseOps extends GraphBase {
  private binary(opType: string, a: Operand, b: Operand): Value {
    return this.op(opType, [this.operand(a, b), this.operand(b, a)]);
  }

  /** a + b (broadcasting). */
  add(a: Operand, b: Operand): Value {
    return this.binary('Add', a, b);
  }

  /** a − b. */
  sub(a: Operand, b: Operand): Value {
    return this.binary('Sub', a, b);
  }

  /** a · b. */
  mul(a: Operand, b: Operand): Value {
    return this.binary('Mul', a, b);
  }

  /** a / b. */
  div(a: Operand, b: Operand): Value {
    return this.binary('Div', a, b);
  }

  /** a ^ b. */
  pow(a: Operand, b: Operand): Value {
    return this.binary('Pow', a, b);
  }

  /** √x. */
  sqrt(x: Value): Value {
    return this.op('Sqrt', [x]);
  }

  /** The Gauss error function. */
  erf(x: Value): Value {
    return this.op('Erf', [x]);
  }

  /** 1 / (1 + e^−x). */
  sigmoid(x: Value): Value {
    return this.op('Sigmoid', [x]);
  }

  /** tanh x. */
  tanh(x: Value): Value {
    return this.op('Tanh', [x]);
  }

  /** max(x, 0). */
  relu(x: Value): Value {
    return this.op('Relu', [x]);
  }

  /** e^x. */
  exp(x: Value): Value {
    return this.op('Exp', [x]);
  }

  /** −x. */
  neg(x: Value): Value {
    return this.op('Neg', [x]);
  }

  /** sin x (sinusoidal embeddings). */
  sin(x: Value): Value {
    return this.op('Sin', [x]);
  }

  /** cos x. */
  cos(x: Value): Value {
    return this.op('Cos', [x]);
  }

  /** Clamps to `[min, max]`; either bound may be omitted (`null`). Number bounds take x's dtype. */
  clip(x: Value, min: Operand | null, max: Operand | null = null): Value {
    const bound = (b: Operand | null) => (b === null ? null : this.operand(b, x));
    const inputs = [x, bound(min), bound(max)];
    while (inputs[inputs.length - 1] === null) inputs.pop();
    return this.op('Clip', inputs);
  }

  /** `condition ? x : y` element-wise (broadcasting). */
  where(condition: Value, x: Operand, y: Operand): Value {
    const a = this.operand(x, y);
    return this.op('Where', [condition, a, this.operand(y, x)], {}, { dtype: a.dtype });
  }

  /** Converts the element type. */
  cast(x: Value, to: DType): Value {
    const dtype = checkDType(to, 'cast');
    return this.op('Cast', [x], { to: attr.int(CAST_TO[dtype]) }, { dtype });
  }

  /** SiLU / swish: x · sigmoid(x). */
  silu(x: Value): Value {
    return this.scope('silu', () => this.mul(x, this.sigmoid(x)));
  }

  /** Exact GELU: 0.5 · x · (1 + erf(x / √2)), as torch's default `gelu` (onnxruntime fuses this pattern). */
  gelu(x: Value): Value {
    return this.scope('gelu', () => this.mul(this.mul(x, 0.5), this.add(this.erf(this.div(x, Math.SQRT2)), 1)));
  }
}
