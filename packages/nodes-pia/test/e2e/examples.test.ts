/** Every example graph parses, converts to a prompt and validates once the files its metadata names are in place. */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePrompt, type GraphDocument, type ModelRef } from '@piagraph/graph-core';
import { AFFINITY_PRESET_NAMES } from '../../src/affinity/index.js';
import { ensureDemoImage } from '../../src/pipeline/index.js';
import { EXAMPLES_DIR, createHarness, promptWith, readExample, type Harness } from './harness.js';

let h: Harness;
let names: string[];

beforeAll(async () => {
  h = await createHarness();
  names = (await readdir(EXAMPLES_DIR)).filter((n) => n.startsWith('pia-') && n.endsWith('.json'));
});

afterAll(async () => {
  await h?.close();
});

interface PaperMeta {
  seed: string;
  prompts: string[];
}

describe('the example graphs', () => {
  it('include the canonical graph and the seven paper examples', () => {
    expect(names.sort()).toEqual(
      ['anya', 'bear', 'concert', 'harry', 'image-to-video', 'labrador', 'lighthouse', 'majic-girl'].map((n) => `pia-${n}.json`),
    );
  });

  it('fail validation only on the model and image files they name until those are installed', async () => {
    for (const name of names.filter((n) => n !== 'pia-image-to-video.json')) {
      const result = await validatePrompt(h.registry, promptWith(await readExample(name), h.registry));
      const failing = Object.values(result.nodeErrors).flatMap((e) => e.errors.map((x) => `${e.class_type}.${x.extra_info.input_name}:${x.type}`));
      expect(failing.sort(), name).toEqual(['LoadImage.image:value_not_in_list', 'PIACheckpointLoader.ckpt_name:value_not_in_list', 'PIACheckpointLoader.pia_name:value_not_in_list']);
    }
  });

  it('validate fully once files with the names in metadata.models and metadata.inputs exist', async () => {
    const demo = await ensureDemoImage(join(h.root, 'demo-image'));
    for (const name of names) {
      const doc: GraphDocument = await readExample(name);
      for (const model of (doc.metadata.models ?? []) as ModelRef[]) {
        await mkdir(join(h.dirs.models, model.folder), { recursive: true });
        await writeFile(join(h.dirs.models, model.folder, model.name), 'placeholder: only the name is checked before a run');
      }
      for (const input of (doc.metadata['inputs'] ?? []) as { name: string }[]) {
        await mkdir(h.dirs.input, { recursive: true });
        await copyFile(demo, join(h.dirs.input, input.name));
      }
      const result = await validatePrompt(h.registry, promptWith(doc, h.registry));
      expect(result, name).toMatchObject({ ok: true, nodeErrors: {} });
    }
  });

  it("carry PIA's seeds reduced mod 2^53, with the original kept in metadata", async () => {
    for (const name of names.filter((n) => n !== 'pia-image-to-video.json')) {
      const doc = await readExample(name);
      const pia = doc.metadata['pia'] as PaperMeta;
      const seed = doc.nodes['7']!.values['seed'] as number;
      expect(Number.isSafeInteger(seed), name).toBe(true);
      expect(BigInt(seed), name).toBe(BigInt(pia.seed) % 2n ** 53n);
      expect(doc.nodes['6']!.values['seed'], name).toBe(seed);
      expect(doc.nodes['2']!.values['text'], name).toBe(pia.prompts[0]);
    }
  });

  it('use the real PIA settings: 16 frames, 25 steps, cfg 7.5, long edge 512, a paper preset', async () => {
    for (const name of names.filter((n) => n !== 'pia-image-to-video.json')) {
      const doc = await readExample(name);
      expect(doc.nodes['5']!.values, name).toMatchObject({ frames: 16 });
      expect(AFFINITY_PRESET_NAMES, name).toContain(doc.nodes['5']!.values['preset']);
      expect(doc.nodes['7']!.values, name).toMatchObject({ steps: 25, cfg: 7.5 });
      expect(doc.nodes['6']!.values, name).toMatchObject({ long_edge: 512, size_policy: 'pia' });
    }
  });
});
