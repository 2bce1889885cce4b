/**
 * Meta-batching through a real server: one POST /prompt of a VHS_BatchManager graph (a 40-frame lossless video
 * loaded 16 frames per batch) runs the graph three times inside one job, and leaves one history entry with one video
 * of all 40 frames. Its client sees one prompt: one start, the nodes of each batch, one success, one end.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRef } from '@piagraph/graph-core';
import { centreColours, writeTestVideo } from '../../../nodes-pia/test/vhs/helpers.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  // Frame i: red 6·i + 5, so a decoded frame tells which source frame it is.
  await writeTestVideo(join(t.dataDir, 'input', 'long.mkv'), 40, { width: 64, height: 48, fps: 8 }, (i) => ({ r: 6 * i + 5, g: 100, b: 240 - 5 * i }));
}, 60_000);
afterAll(() => t.close());

const LOAD = { force_rate: 0, custom_width: 0, custom_height: 0, frame_load_cap: 0, skip_first_frames: 0, select_every_nth: 1, format: 'None' };

const prompt = {
  '1': { class_type: 'VHS_BatchManager', inputs: { frames_per_batch: 16 } },
  '2': { class_type: 'VHS_LoadVideo', inputs: { video: 'long.mkv', ...LOAD, meta_batch: ['1', 0] } },
  '3': { class_type: 'ImageScaleBy', inputs: { image: ['2', 0], upscale_method: 'nearest-exact', scale_by: 2 } },
  '4': {
    class_type: 'VHS_VideoCombine',
    inputs: { images: ['3', 0], frame_rate: 8, loop_count: 0, filename_prefix: 'meta/long', format: 'video/h264-mp4', pingpong: false, save_output: true, crf: 0, meta_batch: ['1', 0] },
  },
};

type History = Record<string, { outputs: Record<string, { gifs?: FileRef[] }>; status: { status_str: string; messages: [string, unknown][] } }>;

describe('VHS_BatchManager through POST /prompt', () => {
  it('runs one prompt in 3 batches as one job: one history entry with one video of all 40 frames', async () => {
    const ws = await RecordingSocket.connect(t.url, 'meta-client');
    const res = await t.postJson('/prompt', { prompt, client_id: 'meta-client' });
    expect(res.status).toBe(200);
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    await t.server.worker.idle();

    const history = (await (await t.fetch('/history')).json()) as History;
    expect(Object.keys(history)).toEqual([prompt_id]);
    const entry = history[prompt_id]!;
    expect(entry.status.status_str).toBe('success');
    expect(entry.status.messages.map(([type]) => type)).toEqual(['execution_start', 'execution_cached', 'execution_success']);
    const gifs = entry.outputs['4']!.gifs!;
    expect(gifs).toHaveLength(1);
    expect(gifs[0]).toMatchObject({ filename: 'long_00001_.mp4', subfolder: 'meta', type: 'output', frame_count: 40 });
    const reds = centreColours(join(t.dataDir, 'output', 'meta', 'long_00001_.mp4'), 128, 96).map(([r]) => Math.round((r - 5) / 6) || 0);
    expect(reds).toEqual(Array.from({ length: 40 }, (_, i) => i));

    // The client saw the per-frame node run once per batch, Video Combine report each batch and its file at the end.
    const events = ws.events.filter((e) => e.data['prompt_id'] === prompt_id);
    expect(events.filter((e) => e.type === 'executing' && e.data['node'] === '3')).toHaveLength(3);
    const combined = events.filter((e) => e.type === 'executed' && e.data['node'] === '4').map((e) => e.data['output']);
    expect(combined.slice(0, 2)).toEqual([null, null]);
    expect(combined[2]).toMatchObject({ gifs: [{ filename: 'long_00001_.mp4', frame_count: 40 }] });
    expect(events.filter((e) => ['execution_start', 'execution_success', 'prompt_done'].includes(e.type)).map((e) => e.type)).toEqual(['execution_start', 'execution_success', 'prompt_done']);
    expect(events.filter((e) => e.type === 'executing' && e.data['node'] === null)).toHaveLength(1);
    ws.socket.close();
  }, 120_000);

  it('answers a frames_per_batch of 0 with 400 naming the input, before anything runs', async () => {
    const res = await t.postJson('/prompt', { prompt: { ...prompt, '1': { class_type: 'VHS_BatchManager', inputs: { frames_per_batch: 0 } } } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { node_errors: Record<string, { errors: { details: string; extra_info?: { input_name?: string } }[] }> };
    expect(body.node_errors['1']!.errors[0]!.extra_info?.input_name).toBe('frames_per_batch');
  });
});
