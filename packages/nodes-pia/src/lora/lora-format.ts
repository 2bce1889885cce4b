/**
 * The key grammar of LoRA files: each key is a module name plus a suffix saying which part of the layer's update
 * it holds. kohya/A1111 (`.lora_up.weight`, `.lora_down.weight`, `.lora_mid.weight`, `.alpha`; LyCORIS LoHa
 * `.hada_w1_a`…), diffusers (`.lora.up.weight`, `.lora_linear_layer.up.weight`, attention processors'
 * `_lora.up.weight`) and PEFT (`.lora_B.weight`, `.lora_A.weight`, optionally under the adapter name `default`).
 */

/** The part of a layer's update a key holds. */
export type LoraRole =
  | 'up'
  | 'down'
  | 'mid'
  | 'alpha'
  | 'hada_w1_a'
  | 'hada_w1_b'
  | 'hada_w2_a'
  | 'hada_w2_b'
  | 'hada_t1'
  | 'hada_t2'
  /** Recognised but not merged here (DoRA, LoKr, full diffs…): reported as unsupported. */
  | 'unsupported';

/** Which convention a key follows, for messages and the file summary. */
export type LoraKeyStyle = 'kohya' | 'diffusers' | 'peft' | 'lycoris';

/** A key split into its module name and role. */
export interface ParsedLoraKey {
  readonly module: string;
  readonly role: LoraRole;
  readonly style: LoraKeyStyle;
}

const SUFFIXES: readonly (readonly [string, LoraRole, LoraKeyStyle])[] = [
  ['.lora_up.weight', 'up', 'kohya'],
  ['.lora_down.weight', 'down', 'kohya'],
  ['.lora_mid.weight', 'mid', 'kohya'],
  ['.lora_B.default.weight', 'up', 'peft'],
  ['.lora_A.default.weight', 'down', 'peft'],
  ['.lora_B.weight', 'up', 'peft'],
  ['.lora_A.weight', 'down', 'peft'],
  ['.lora_linear_layer.up.weight', 'up', 'diffusers'],
  ['.lora_linear_layer.down.weight', 'down', 'diffusers'],
  ['.lora.up.weight', 'up', 'diffusers'],
  ['.lora.down.weight', 'down', 'diffusers'],
  ['_lora.up.weight', 'up', 'diffusers'],
  ['_lora.down.weight', 'down', 'diffusers'],
  ['.alpha', 'alpha', 'kohya'],
  ['.hada_w1_a', 'hada_w1_a', 'lycoris'],
  ['.hada_w1_b', 'hada_w1_b', 'lycoris'],
  ['.hada_w2_a', 'hada_w2_a', 'lycoris'],
  ['.hada_w2_b', 'hada_w2_b', 'lycoris'],
  ['.hada_t1', 'hada_t1', 'lycoris'],
  ['.hada_t2', 'hada_t2', 'lycoris'],
  ['.dora_scale', 'unsupported', 'kohya'],
  ['.lokr_w1', 'unsupported', 'lycoris'],
  ['.lokr_w2', 'unsupported', 'lycoris'],
  ['.lokr_w1_a', 'unsupported', 'lycoris'],
  ['.lokr_w1_b', 'unsupported', 'lycoris'],
  ['.lokr_w2_a', 'unsupported', 'lycoris'],
  ['.lokr_w2_b', 'unsupported', 'lycoris'],
  ['.lokr_t2', 'unsupported', 'lycoris'],
  ['.diff', 'unsupported', 'lycoris'],
  ['.diff_b', 'unsupported', 'lycoris'],
  ['.w_norm', 'unsupported', 'lycoris'],
  ['.b_norm', 'unsupported', 'lycoris'],
  ['.a1.weight', 'unsupported', 'lycoris'],
  ['.a2.weight', 'unsupported', 'lycoris'],
  ['.b1.weight', 'unsupported', 'lycoris'],
  ['.b2.weight', 'unsupported', 'lycoris'],
];

/** The module and role of a LoRA file key, or `undefined` when it follows none of the known conventions. */
export function parseLoraKey(key: string): ParsedLoraKey | undefined {
  for (const [suffix, role, style] of SUFFIXES) {
    if (key.endsWith(suffix) && key.length > suffix.length) return { module: key.slice(0, -suffix.length), role, style };
  }
  return undefined;
}

/** The roles that carry a layer's factors or scale. */
export type FactorRole = Exclude<LoraRole, 'unsupported'>;

/** The keys of one module: one per factor role, and any keys of kinds not merged here. */
export interface ModuleKeys {
  readonly roles: Partial<Record<FactorRole, string>>;
  readonly unsupported: readonly string[];
}

/** A file's keys grouped by module, plus the keys no convention explains. */
export interface GroupedLoraKeys {
  readonly modules: ReadonlyMap<string, ModuleKeys>;
  readonly styles: ReadonlySet<LoraKeyStyle>;
  readonly unrecognised: readonly string[];
}

/** Groups a file's keys by module. */
export function groupLoraKeys(keys: readonly string[]): GroupedLoraKeys {
  const modules = new Map<string, { roles: Partial<Record<FactorRole, string>>; unsupported: string[] }>();
  const styles = new Set<LoraKeyStyle>();
  const unrecognised: string[] = [];
  for (const key of keys) {
    const parsed = parseLoraKey(key);
    if (!parsed) {
      unrecognised.push(key);
      continue;
    }
    let entry = modules.get(parsed.module);
    if (!entry) {
      entry = { roles: {}, unsupported: [] };
      modules.set(parsed.module, entry);
    }
    if (parsed.role === 'unsupported') entry.unsupported.push(key);
    else entry.roles[parsed.role] = key;
    if (parsed.role !== 'alpha') styles.add(parsed.style);
  }
  return { modules, styles, unrecognised };
}
