import { PassThrough } from 'node:stream';
import { defineNode } from '@piagraph/graph-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { bullJobId, bullPriority, MAX_PRIORITY } from '../../src/distributed/job-keys.js';
import { OfferedOptions, readComboBook, withOfferedOptions } from '../../src/distributed/offered-options.js';
import { packIdentity, packMismatch } from '../../src/distributed/pack-identity.js';
import { promptModels } from '../../src/distributed/prompt-files.js';
import { decodePreviewFrame, encodePreviewFrame } from '../../src/distributed/protocol.js';
import { checkQueueName, parseRedisUrl, redactRedisUrl } from '../../src/distributed/redis-connection.js';
import { NodeRegistry } from '@piagraph/graph-core';

const files: string[] = ['a.safetensors'];
const Loader = defineNode({
  classType: 'Loader',
  category: 'test',
  inputs: { required: { ckpt_name: { type: 'COMBO', options: () => files }, mode: { type: 'COMBO', options: ['x', 'y'] }, image: { type: 'COMBO', options: () => ['p.png'], image_upload: true } } },
  outputs: [{ type: 'MODEL' }],
  run: () => ({ outputs: [null] }),
});

describe('distributed mode parts', () => {
  it('maps store priorities into BullMQ priorities in the same order, clamped to 1…2^21-1', () => {
    const numbers = [-5, -4, 1, 2, 3, 1000];
    const priorities = numbers.map(bullPriority);
    expect([...priorities].sort((a, b) => a - b)).toEqual(priorities);
    expect(new Set(priorities).size).toBe(numbers.length);
    expect(bullPriority(-(2 ** 20) - 10)).toBe(1);
    expect(bullPriority(2 ** 22)).toBe(MAX_PRIORITY);
    expect(MAX_PRIORITY).toBe(2_097_151);
  });

  it('makes BullMQ job ids without ":" from any prompt id', () => {
    expect(bullJobId('a:b/c d')).not.toContain(':');
    expect(Buffer.from(bullJobId('a:b/c d').slice(2), 'base64url').toString()).toBe('a:b/c d');
  });

  it('names each node pack difference: version, interface, missing, extra', () => {
    const v1 = packIdentity('p', '1.0.0', [Loader]);
    expect(packMismatch([v1], [v1])).toBeUndefined();
    expect(packMismatch([v1], [packIdentity('p', '2.0.0', [Loader])])).toContain('pack "p" is 2.0.0 on the worker but 1.0.0 on the server');
    const changed = defineNode({ ...Loader, inputs: { required: { ckpt_name: { type: 'STRING' } } } });
    expect(packMismatch([v1], [packIdentity('p', '1.0.0', [changed])])).toContain('has different node classes on the worker');
    expect(packMismatch([v1], [])).toContain('pack "p" 1.0.0 is missing on the worker');
    expect(packMismatch([], [v1])).toContain('pack "p" 1.0.0 is on the worker but not on the server');
  });

  it('hashes node interfaces without the lists read from folders', () => {
    const before = packIdentity('p', '1', [Loader]).interfaceHash;
    files.push('b.safetensors');
    expect(packIdentity('p', '1', [Loader]).interfaceHash).toBe(before);
    files.pop();
  });

  it('finds the model files of a prompt: folder-read combos named *_name, not pictures', () => {
    const registry = new NodeRegistry().register(Loader);
    const prompt = { '1': { class_type: 'Loader', inputs: { ckpt_name: 'a.safetensors', mode: 'x', image: 'p.png' } } };
    expect(promptModels(prompt, registry)).toEqual(['ckpt_name:a.safetensors']);
  });

  it("adds the workers' folder-read choices to copies of the definitions, leaving the originals alone", () => {
    const offered = new OfferedOptions();
    const [copy] = withOfferedOptions([Loader], offered);
    offered.set('w1', { Loader: { ckpt_name: ['w.safetensors'] } });
    expect(readComboBook([copy!]).Loader!.ckpt_name).toEqual(['a.safetensors', 'w.safetensors']);
    expect(readComboBook([Loader]).Loader!.ckpt_name).toEqual(['a.safetensors']);
    expect(offered.offers('w1', 'ckpt_name', 'w.safetensors')).toBe(true);
    offered.delete('w1');
    expect(readComboBook([copy!]).Loader!.ckpt_name).toEqual(['a.safetensors']);
  });

  it('round-trips a preview frame and refuses malformed ones', () => {
    const data = Buffer.from([1, 2, 3]);
    const frame = encodePreviewFrame({ promptId: 'p', lock: 'l', node: '4', format: 'png' }, data);
    const decoded = decodePreviewFrame(frame)!;
    expect(decoded.header).toEqual({ promptId: 'p', lock: 'l', node: '4', format: 'png' });
    expect(Buffer.from(decoded.image.data)).toEqual(data);
    expect(decodePreviewFrame(Buffer.from([0, 0, 0, 200, 1]))).toBeUndefined();
    expect(decodePreviewFrame(encodePreviewFrame({ promptId: 'p', lock: 'l', node: '4', format: 'bmp' as 'png' }, data))).toBeUndefined();
  });

  it('checks Redis URLs and queue names, and never shows a password', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/must start with redis:\/\//);
    expect(() => parseRedisUrl('redis://h:1/x')).toThrow(/database in --redis must be a number/);
    expect(parseRedisUrl('redis://:pw@h:6379/2').hostname).toBe('h');
    expect(redactRedisUrl('redis://:secret@h:6379/0')).toBe('redis://:***@h:6379/0');
    expect(() => checkQueueName('a:b')).toThrow(/--queue-name/);
    expect(checkQueueName('studio-1')).toBe('studio-1');
  });

  it('CLI: worker needs --redis and --server; distributed-only serve flags need --redis', async () => {
    const run = async (argv: string[]) => {
      const out = new PassThrough();
      const err = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      err.on('data', (d: Buffer) => (text += d.toString()));
      const code = await runCli(argv, { io: { stdout: out, stderr: err } });
      return { code, text };
    };
    expect(await run(['worker', '--server', 'http://x'])).toMatchObject({ code: 2, text: expect.stringContaining('--redis URL is required') });
    expect(await run(['worker', '--redis', 'redis://x'])).toMatchObject({ code: 2, text: expect.stringContaining('--server URL is required') });
    expect(await run(['serve', '--queue-name', 'q'])).toMatchObject({ code: 2, text: expect.stringContaining('need --redis') });
    expect((await run(['worker', '--help'])).text).toContain('Usage: piagraph worker');
  });
});
