import { describe, expect, it } from 'vitest';
import { BODY_PADDING, layoutNode, MULTILINE_HEIGHT, ROW_HEIGHT, SEED_HEIGHT, TITLE_HEIGHT, UPLOAD_HEIGHT } from '../src/canvas/node-layout.js';
import { parseObjectInfo } from '../src/defs/object-info.js';
import { objectInfo } from './fixtures/object-info.js';

const schemas = parseObjectInfo(objectInfo);
const node = (classType: string, extra: object = {}) => ({ id: '1', classType, ...extra });

describe('node layout', () => {
  it('puts socket inputs and outputs side by side in slot rows, then one row per widget with its own socket', () => {
    // Sampler: sockets model, image (2 slot rows, the first with the LATENT output), widgets seed (2 rows),
    // steps, cfg, scheduler, prompt (multiline), count (forceInput: a socket, so a third slot row).
    const l = layoutNode(node('Sampler'), schemas.get('Sampler'), new Set());
    const first = TITLE_HEIGHT + BODY_PADDING;
    expect(l.inputs['model']).toBe(first + ROW_HEIGHT / 2);
    expect(l.outputs).toEqual([first + ROW_HEIGHT / 2]);
    expect(l.inputs['image']).toBe(first + ROW_HEIGHT * 1.5);
    expect(l.inputs['count']).toBe(first + ROW_HEIGHT * 2.5);
    const widgets = first + 3 * ROW_HEIGHT;
    expect(l.inputs['seed']).toBe(widgets + ROW_HEIGHT / 2);
    expect(l.inputs['steps']).toBe(widgets + SEED_HEIGHT + ROW_HEIGHT / 2);
    expect(l.inputs['prompt']).toBe(widgets + SEED_HEIGHT + 3 * ROW_HEIGHT + ROW_HEIGHT / 2);
    expect(l.height).toBe(widgets + SEED_HEIGHT + 3 * ROW_HEIGHT + MULTILINE_HEIGHT + BODY_PADDING);
    expect(l.width).toBe(260);
  });

  it('shrinks a linked widget to one row, moving the sockets below it up', () => {
    const free = layoutNode(node('Sampler'), schemas.get('Sampler'), new Set());
    const linked = layoutNode(node('Sampler'), schemas.get('Sampler'), new Set(['seed']));
    expect(linked.inputs['steps']! - free.inputs['steps']!).toBe(ROW_HEIGHT - SEED_HEIGHT);
  });

  it('gives Load Image room for its upload button and thumbnail, and an output node a wider card', () => {
    expect(layoutNode(node('LoadImage'), schemas.get('LoadImage'), new Set()).height).toBe(TITLE_HEIGHT + BODY_PADDING + 2 * ROW_HEIGHT + UPLOAD_HEIGHT + BODY_PADDING);
    expect(layoutNode(node('SaveVideo'), schemas.get('SaveVideo'), new Set()).width).toBe(300);
  });

  it('keeps a user-resized node at least as large as its size, and never narrower than the minimum', () => {
    const big = layoutNode(node('SaveVideo', { size: { width: 500, height: 900 } }), schemas.get('SaveVideo'), new Set());
    expect([big.width, big.height]).toEqual([500, 900]);
    expect(layoutNode(node('SaveVideo', { size: { width: 10, height: 10 } }), schemas.get('SaveVideo'), new Set()).width).toBe(140);
  });

  it('draws a collapsed node as its title with every socket at the title bar middle', () => {
    const l = layoutNode(node('Sampler', { ui: { collapsed: true } }), schemas.get('Sampler'), new Set());
    expect(l.height).toBe(TITLE_HEIGHT);
    expect(new Set([...Object.values(l.inputs), ...l.outputs])).toEqual(new Set([TITLE_HEIGHT / 2]));
  });

  it('takes the ports of a class the server does not know from its links', () => {
    const links = [
      { id: 'a', source: { node: '9', output: 0 }, target: { node: '1', input: 'pixels' }, type: 'IMAGE' },
      { id: 'b', source: { node: '1', output: 1 }, target: { node: '8', input: 'x' }, type: 'LATENT' },
    ];
    const l = layoutNode(node('Gone'), undefined, new Set(['pixels']), links);
    expect(l.inputTypes).toEqual({ pixels: 'IMAGE' });
    expect(l.outputTypes).toEqual(['*', 'LATENT']);
  });

  it('gives a reroute one untyped input and output at its middle', () => {
    const l = layoutNode(node('Reroute'), undefined, new Set());
    expect(l.inputs).toEqual({ input: l.height / 2 });
    expect(l.outputs).toEqual([l.height / 2]);
  });
});
