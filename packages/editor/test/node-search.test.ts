import { describe, expect, it } from 'vitest';
import { editDistance, searchNodes, words } from '../src/defs/node-search.js';
import { parseObjectInfo } from '../src/defs/object-info.js';

/** ComfyUI-like classes: the names a user searches for. */
const info = {
  KSampler: { display_name: 'KSampler', category: 'sampling', input: { required: { model: ['MODEL'], latent_image: ['LATENT'], seed: ['INT', {}] } }, output: ['LATENT'] },
  KSamplerAdvanced: { display_name: 'KSampler (Advanced)', category: 'sampling', input: { required: { model: ['MODEL'], latent_image: ['LATENT'] } }, output: ['LATENT'] },
  PIADDIMSampler: { display_name: 'DDIM Sampler (PIA)', category: 'pia/sampling', input: { required: { model: ['PIA_MODEL'] } }, output: ['LATENT'] },
  CheckpointLoaderSimple: { display_name: 'Load Checkpoint', category: 'loaders', input: { required: { ckpt_name: [['a.safetensors']] } }, output: ['MODEL', 'CLIP', 'VAE'] },
  CLIPTextEncode: { display_name: 'CLIP Text Encode (Prompt)', category: 'conditioning', input: { required: { text: ['STRING', { multiline: true }], clip: ['CLIP'] } }, output: ['CONDITIONING'] },
  VAEDecode: { display_name: 'VAE Decode', category: 'latent', input: { required: { samples: ['LATENT'], vae: ['VAE'] } }, output: ['IMAGE'] },
  VAEEncode: { display_name: 'VAE Encode', category: 'latent', input: { required: { pixels: ['IMAGE'], vae: ['VAE'] } }, output: ['LATENT'] },
  LoadImage: { display_name: 'Load Image', category: 'image', input: { required: { image: [['a.png'], { image_upload: true }] } }, output: ['IMAGE', 'MASK'] },
  SaveImage: { display_name: 'Save Image', category: 'image', input: { required: { images: ['IMAGE'] } }, output: [], output_node: true },
  EmptyLatentImage: { display_name: 'Empty Latent Image', category: 'latent', input: { required: { width: ['INT', {}] } }, output: ['LATENT'] },
};
const schemas = [...parseObjectInfo(info).values()];
const names = (query: string, options?: Parameters<typeof searchNodes>[2]) => searchNodes(schemas, query, options).map((s) => s.classType);

describe('node search', () => {
  it('splits names into words at spaces, punctuation and camel-case humps', () => {
    expect(words('KSamplerAdvanced')).toEqual(['k', 'sampler', 'advanced']);
    expect(words('CLIP Text Encode (Prompt)')).toEqual(['clip', 'text', 'encode', 'prompt']);
    expect(words('VAEDecode')).toEqual(['vae', 'decode']);
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('smapler', 'sampler')).toBe(1);
    expect(editDistance('chekpoint', 'checkpoint')).toBe(1);
    expect(editDistance('decode', 'encode')).toBe(2);
  });

  it('puts the node a query names exactly first, then names starting with it, then near misses', () => {
    expect(names('ksampler')).toEqual(['KSampler', 'KSamplerAdvanced', 'PIADDIMSampler']);
    expect(names('load image')).toEqual(['LoadImage']);
  });

  it('ranks equal word matches by the shorter name: KSampler before DDIM Sampler (PIA) before KSampler (Advanced)', () => {
    expect(names('sampler')).toEqual(['KSampler', 'PIADDIMSampler', 'KSamplerAdvanced']);
  });

  it('finds nodes through typos', () => {
    expect(names('smapler')).toEqual(['KSampler', 'PIADDIMSampler', 'KSamplerAdvanced']);
    expect(names('chekpoint')).toEqual(['CheckpointLoaderSimple']);
  });

  it('matches abbreviations by letters in order', () => {
    expect(names('ksadv')).toEqual(['KSamplerAdvanced']);
  });

  it('searches categories and socket types, below names', () => {
    expect(names('conditioning')).toEqual(['CLIPTextEncode']);
    // "latent" names Empty Latent Image; the others only carry LATENT sockets or sit in the latent category.
    expect(names('latent')[0]).toBe('EmptyLatentImage');
    expect(names('latent')).toEqual(expect.arrayContaining(['VAEDecode', 'VAEEncode', 'KSampler']));
  });

  it('needs every word of the query to match', () => {
    expect(names('vae decode')).toEqual(['VAEDecode']);
    expect(names('zzzz')).toEqual([]);
  });

  it('offers only nodes that take a dropped wire: an IMAGE output needs an IMAGE input, a MODEL input a MODEL output', () => {
    expect(names('', { filter: { needs: 'input', type: 'IMAGE' } })).toEqual(['SaveImage', 'VAEEncode']);
    expect(names('', { filter: { needs: 'output', type: 'MODEL' } })).toEqual(['CheckpointLoaderSimple']);
    expect(names('save', { filter: { needs: 'input', type: 'IMAGE' } })).toEqual(['SaveImage']);
  });

  it('puts a name starting with the query before one merely containing it, and a socket-type match last', () => {
    const image = parseObjectInfo({ LoadImage: info.LoadImage }).get('LoadImage')!;
    const named = (displayName: string) => ({ ...image, classType: displayName.replace(' ', ''), displayName });
    const ranked = searchNodes([named('Load Image'), named('Image Scale'), named('Upscale')], 'image');
    expect(ranked.map((s) => s.displayName)).toEqual(['Image Scale', 'Load Image', 'Upscale']);
  });
});
