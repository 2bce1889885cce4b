import { CallWrapper, ComfyApi, PromptBuilder } from '@saintno/comfyui-sdk';
import { Client } from '@stable-canvas/comfyui-client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../fixtures/server-test-nodes.js';
import { slowPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';

/**
 * The two npm ComfyUI clients, unchanged, against the real server: enqueue, progress, previews, outputs, upload,
 * interrupt and the validation-error path (reference §4.4 ran the same checks against a mock).
 */

let t: TestServer;
beforeAll(async () => {
  // Both clients start listening for a prompt's events only after they have parsed the POST /prompt answer. The
  // server holds a fresh job back for `startGraceMs`; on a CI machine whose two cores are busy with other test
  // files, the 25 ms default can be shorter than the client's own turnaround, so this file gives it more room.
  t = await startTestServer({ startGraceMs: 150 });
});
afterAll(() => t.close());

const savePrompt = (value: number, steps = 3, ms = 2) => ({
  '1': { class_type: 'TestPreview', inputs: { value, steps, ms } },
  '2': { class_type: 'TestSaveImage', inputs: { value: ['1', 0], filename_prefix: 'client' } },
});

const invalidPrompt = {
  '1': { class_type: 'TestSlow', inputs: { value: 1, ms: 999999 } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
};

describe('@stable-canvas/comfyui-client', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ api_host: `127.0.0.1:${t.server.port}`, WebSocket: WebSocket as never, fetch: globalThis.fetch as never, clientId: 'stable-canvas' });
    await client.connect({ websocket: { enabled: true } });
  });
  afterAll(() => client.close());

  it('enqueues and resolves with progress, the preview bytes and a /view URL that serves the image', async () => {
    const progress: number[] = [];
    const result = await client.enqueue(savePrompt(1, 3, 20), { progress: (p) => progress.push(p.value), timeout_ms: 10_000 });
    expect(progress).toEqual([1, 2, 3]);
    const urls = result.images.filter((i) => i.type === 'url').map((i) => i.data as string);
    const buffers = result.images.filter((i) => i.type === 'buff');
    // The client decodes binary frames asynchronously and resolves on `executed`, so the last preview can land late.
    expect(buffers.length).toBeGreaterThanOrEqual(2);
    expect(Buffer.from((buffers[0] as { data: ArrayBuffer }).data).equals(TINY_PNG)).toBe(true);
    expect(urls).toHaveLength(1);
    expect(urls[0]).toContain('/view?filename=client_');
    const image = await fetch(urls[0]!);
    expect(Buffer.from(await image.arrayBuffer()).equals(TINY_PNG)).toBe(true);
  });

  it('resolves a repeated (fully cached) prompt, because executed is re-sent', async () => {
    const prompt = { '1': { class_type: 'TestNumber', inputs: { value: 5 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    await client.enqueue(prompt, { timeout_ms: 10_000 });
    const again = await client.enqueue(prompt, { timeout_ms: 10_000, resolver: (acc, output) => ({ ...acc, data: output }) });
    expect(again.data).toEqual({ text: ['5'] });
  });

  it('resolves through polling /queue and /history', async () => {
    const result = await client.enqueue_polling(savePrompt(2), { polling_ms: 50, timeout_ms: 10_000 });
    expect(result.images.filter((i) => i.type === 'url')).toHaveLength(1);
  });

  it('throws the 400 JSON of an invalid prompt', async () => {
    const err = (await client.enqueue(invalidPrompt).catch((e: unknown) => e)) as { status?: number; response?: unknown; message: string };
    expect(JSON.stringify(err)).toContain('prompt_outputs_failed_validation');
  });

  it('interrupts a running prompt, which then leaves the queue', async () => {
    const { prompt_id } = await client._enqueue_prompt(slowPrompt(5000, 3));
    for (let i = 0; i < 100 && !(await client.getPromptStatus(prompt_id)).running; i++) await new Promise((r) => setTimeout(r, 20));
    await client.interrupt(prompt_id);
    await client.waitForPrompt(prompt_id, 50, 5000);
    expect(await client.getPromptStatus(prompt_id)).toMatchObject({ done: true, running: false, pending: false });
    await expect(client.getPromptOutputs(prompt_id)).rejects.toThrow();
  });
});

describe('@saintno/comfyui-sdk', () => {
  let api: ComfyApi;
  beforeAll(async () => {
    api = new ComfyApi(`http://127.0.0.1:${t.server.port}`, 'saintno');
    const connected = new Promise<void>((resolve) => api.on('status', () => resolve()));
    await api.init(3, 100).waitForReady();
    await connected;
  });
  afterAll(() => api.destroy());

  function run(prompt: Record<string, unknown>, output = '2') {
    const events: string[] = [];
    let previews = 0;
    let failure: Error | undefined;
    const builder = new PromptBuilder(prompt, [], ['out']).setOutputNode('out', output);
    const wrapper = new CallWrapper(api, builder)
      .onPending(() => events.push('pending'))
      .onProgress((p) => events.push(`progress ${p.value}/${p.max}`))
      .onPreview(() => {
        previews += 1;
      })
      .onFailed((err) => {
        // run() reports an enqueue failure twice, the specific error first.
        failure ??= err;
      });
    const startListeners: (() => void)[] = [];
    wrapper.onStart(() => {
      events.push('start');
      for (const l of startListeners) l();
    });
    return {
      done: wrapper.run(),
      events,
      previews: () => previews,
      failure: () => failure,
      onStart: (listener: () => void) => startListeners.push(listener),
    };
  }

  it('runs a prompt: pending, start, progress and the mapped output', async () => {
    // Steps of 40 ms: CallWrapper listens for progress only after a history round-trip that follows `executing`.
    const r = run(savePrompt(10, 3, 40));
    const output = (await r.done) as { out: { images: { filename: string }[] } };
    expect(r.events).toEqual(['pending', 'start', 'progress 1/3', 'progress 2/3', 'progress 3/3']);
    expect(r.previews()).toBe(3);
    expect(output.out.images[0]!.filename).toMatch(/^client_\d{5}_\.png$/);
  });

  it('finishes a fully cached prompt', async () => {
    await run(savePrompt(11)).done;
    const output = (await run(savePrompt(11)).done) as { out: { images: unknown[] } };
    expect(output.out.images).toHaveLength(1);
  });

  it('uploads an image and gets a /view URL that serves it', async () => {
    const uploaded = await api.uploadImage(new Uint8Array(TINY_PNG), 'saintno.png');
    expect(uploaded && uploaded.info).toMatchObject({ name: 'saintno.png', subfolder: '', type: 'input' });
    const res = await fetch((uploaded as { url: string }).url);
    expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PNG)).toBe(true);
  });

  it('reports the 400 of an invalid prompt as EnqueueFailedError with the body as cause', async () => {
    const r = run(invalidPrompt);
    expect(await r.done).toBe(false);
    expect(r.failure()?.name).toBe('EnqueueFailedError');
    expect(JSON.stringify((r.failure() as Error & { cause: unknown }).cause)).toContain('value_bigger_than_max');
  });

  it('reports an interrupted prompt as ExecutionInterruptedError', async () => {
    // onStart fires on the first progress CallWrapper itself receives, so its interruption listener is attached.
    const r = run(savePrompt(12, 100, 30));
    const started = new Promise<void>((resolve) => r.onStart(resolve));
    await started;
    await api.interrupt();
    expect(await r.done).toBe(false);
    expect(r.failure()?.name).toBe('ExecutionInterruptedError');
  });

  it('reports a failing node as a failure carrying execution_error', async () => {
    // The failure comes 80 ms in: CallWrapper only listens for execution_error after a history round-trip that
    // follows the first `executing`; a node failing within that window is reported by it as WentMissingError.
    const r = run(
      {
        '1': { class_type: 'TestSlow', inputs: { value: 1, ms: 80 } },
        '2': { class_type: 'TestFail', inputs: { message: 'nope', value: ['1', 0] } },
        '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
      },
      '3',
    );
    expect(await r.done).toBe(false);
    expect(r.failure()?.name).toBe('CustomEventError');
    expect((r.failure() as Error & { cause: { exception_message: string } }).cause.exception_message).toBe('nope');
  });
});
