/** Node writes through a real server: a link already in output/ must not carry a Save Video out of the data folder. */
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let outside: string;
beforeAll(async () => {
  t = await startTestServer();
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'piagraph-outside-')));
  symlinkSync(outside, join(t.dataDir, 'output', 'escape'));
  mkdirSync(join(t.dataDir, 'temp'), { recursive: true });
  symlinkSync(outside, join(t.dataDir, 'temp', 'escape'));
});
afterAll(async () => {
  await t.close();
  rmSync(outside, { recursive: true, force: true });
});

function saveGraph(prefix: string, saveOutput = true): Record<string, unknown> {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'piagraph-demo.png' } },
    '2': {
      class_type: 'PIASaveVideo',
      inputs: { images: ['1', 0], frame_rate: 8, loop_count: 0, filename_prefix: prefix, format: 'image/gif', pingpong: false, save_output: saveOutput },
    },
  };
}

type History = Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] } }>;

async function runToEnd(prompt: Record<string, unknown>): Promise<History[string]> {
  const res = await t.postJson('/prompt', { prompt });
  expect(res.status).toBe(200);
  const { prompt_id } = (await res.json()) as { prompt_id: string };
  await t.server.worker.idle();
  return ((await (await t.fetch(`/history/${prompt_id}`)).json()) as History)[prompt_id]!;
}

describe('Save Video and symbolic links in the data folders', () => {
  it('fails the job naming the link, and writes nothing outside, for output/ and temp/', async () => {
    for (const saveOutput of [true, false]) {
      const entry = await runToEnd(saveGraph('escape/clip', saveOutput));
      expect(entry.status.status_str).toBe('error');
      const error = entry.status.messages.find(([type]) => type === 'execution_error')![1];
      expect(error.exception_message).toContain('would save outside the output folder');
      expect(error.exception_message).toContain('through a symbolic link');
    }
    expect(readdirSync(outside)).toEqual([]);
  }, 60_000);

  it('still saves where the prefix stays inside', async () => {
    const entry = await runToEnd(saveGraph('inside/clip'));
    expect(entry.status.status_str).toBe('success');
    expect(readdirSync(join(t.dataDir, 'output', 'inside'))).toEqual(['clip_00001_.gif']);
  }, 60_000);

  it('refuses a 100,000-character filename_prefix at queue time with 400 naming the input', async () => {
    const res = await t.postJson('/prompt', { prompt: saveGraph('p'.repeat(100_000)) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { node_errors: Record<string, { errors: { details: string }[] }> };
    expect(body.node_errors['2']!.errors[0]!.details).toContain('filename_prefix: Filename prefix is 100000 bytes long');
  });
});
