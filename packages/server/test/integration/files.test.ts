import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../fixtures/server-test-nodes.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ maxUploadMb: 0.01 });
  writeFileSync(join(t.dataDir, 'secret.txt'), 'top secret');
  writeFileSync(join(t.dataDir, 'output', 'clip.mp4'), Buffer.alloc(100, 7));
  writeFileSync(join(t.dataDir, 'output', 'page.html'), '<script>alert(1)</script>');
  mkdirSync(join(t.dataDir, 'output', 'frames'));
  writeFileSync(join(t.dataDir, 'output', 'frames', 'f1.png'), TINY_PNG);
  symlinkSync(join(t.dataDir, 'secret.txt'), join(t.dataDir, 'output', 'link.txt'));
});
afterAll(() => t.close());

function form(fields: Record<string, string>, file?: { name: string; data: Buffer }): FormData {
  const f = new FormData();
  if (file) f.append('image', new Blob([file.data]), file.name);
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

async function upload(fields: Record<string, string>, file?: { name: string; data: Buffer }): Promise<Response> {
  return t.fetch('/upload/image', { method: 'POST', body: form(fields, file) });
}

async function errorOf(res: Response): Promise<{ type: string; message: string }> {
  return ((await res.json()) as { error: { type: string; message: string } }).error;
}

describe('POST /upload/image', () => {
  it('stores an image in input/ and answers {name, subfolder, type}', async () => {
    const res = await upload({}, { name: 'cat.png', data: TINY_PNG });
    expect(await res.json()).toEqual({ name: 'cat.png', subfolder: '', type: 'input' });
    expect(readFileSync(join(t.dataDir, 'input', 'cat.png')).equals(TINY_PNG)).toBe(true);
  });

  it('stores into a subfolder of temp/ when asked', async () => {
    const res = await upload({ type: 'temp', subfolder: 'masks' }, { name: 'm.png', data: TINY_PNG });
    expect(await res.json()).toEqual({ name: 'm.png', subfolder: 'masks', type: 'temp' });
    expect(readdirSync(join(t.dataDir, 'temp', 'masks'))).toEqual(['m.png']);
  });

  it('renames a clashing upload with different content to "name (1).png"', async () => {
    await upload({}, { name: 'dog.png', data: TINY_PNG });
    const other = Buffer.concat([TINY_PNG, Buffer.from('different tail')]);
    const res = await upload({}, { name: 'dog.png', data: other });
    expect(((await res.json()) as { name: string }).name).toBe('dog (1).png');
  });

  it('reuses the existing file when the content is identical', async () => {
    await upload({}, { name: 'same.png', data: TINY_PNG });
    const res = await upload({}, { name: 'same.png', data: TINY_PNG });
    expect(((await res.json()) as { name: string }).name).toBe('same.png');
    expect(readdirSync(join(t.dataDir, 'input')).filter((f) => f.startsWith('same'))).toEqual(['same.png']);
  });

  it('overwrites when overwrite is "true"', async () => {
    await upload({}, { name: 'over.png', data: TINY_PNG });
    const other = Buffer.concat([TINY_PNG, Buffer.from('v2')]);
    const res = await upload({ overwrite: 'true' }, { name: 'over.png', data: other });
    expect(((await res.json()) as { name: string }).name).toBe('over.png');
    expect(readFileSync(join(t.dataDir, 'input', 'over.png')).equals(other)).toBe(true);
  });

  it('refuses a text file named .png, reading the content not the name', async () => {
    const res = await upload({}, { name: 'fake.png', data: Buffer.from('just some text') });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ type: 'not_an_image', message: expect.stringContaining('"fake.png" is not an image') });
  });

  it('refuses an upload over --max-upload-mb with a JSON 413', async () => {
    const big = Buffer.concat([TINY_PNG, Buffer.alloc(20_000)]);
    const res = await upload({}, { name: 'big.png', data: big });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ type: 'payload_too_large', message: 'The upload is larger than the limit of 0.01 MB (--max-upload-mb)' });
  });

  it('refuses a body that is not multipart with 415', async () => {
    const res = await t.postJson('/upload/image', { image: 'x' });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).message).toContain('Uploads must be multipart/form-data');
  });

  it('refuses a form without the image field', async () => {
    const res = await upload({ subfolder: 'x' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe('The multipart form has no file in the "image" field');
  });

  it('refuses an unknown type', async () => {
    const res = await upload({ type: 'models' }, { name: 'a.png', data: TINY_PNG });
    expect((await errorOf(res)).message).toBe('Upload type "models" is not one of input, temp, output');
  });

  it('refuses a subfolder that climbs out of the folder', async () => {
    const res = await upload({ subfolder: '../../outside' }, { name: 'a.png', data: TINY_PNG });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).type).toBe('path_outside_root');
  });

  it('refuses a file name that climbs out of the folder', async () => {
    const res = await upload({}, { name: '../escape.png', data: TINY_PNG });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('must not contain a path separator');
    expect(readdirSync(t.dataDir)).not.toContain('escape.png');
  });

  it('refuses a truncated multipart body', async () => {
    const res = await t.fetch('/upload/image', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).type).toBe('invalid_multipart');
  });
});

describe('GET /view', () => {
  it('serves an output file with its content type', async () => {
    const res = await t.fetch('/view?filename=f1.png&subfolder=frames&type=output');
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PNG)).toBe(true);
  });

  it('defaults the type to output', async () => {
    expect((await t.fetch('/view?filename=clip.mp4')).status).toBe(200);
  });

  it('serves a byte range for video seeking', async () => {
    const res = await t.fetch('/view?filename=clip.mp4', { headers: { Range: 'bytes=10-19' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 10-19/100');
    expect((await res.arrayBuffer()).byteLength).toBe(10);
  });

  it('sends HTML as a download, never as a page', async () => {
    const res = await t.fetch('/view?filename=page.html');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="page.html"');
  });

  it('answers a missing file with a JSON 404', async () => {
    const res = await t.fetch('/view?filename=nothing.png');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe('File not found: nothing.png');
  });

  it('refuses "../" traversal with 403', async () => {
    const res = await t.fetch('/view?filename=../secret.txt');
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toBe('The filename "../secret.txt" contains "..", which is not allowed');
  });

  it('refuses percent-encoded traversal', async () => {
    const res = await t.fetch('/view?filename=%2e%2e%2fsecret.txt');
    expect(res.status).toBe(403);
  });

  it('refuses traversal through the subfolder', async () => {
    expect((await t.fetch('/view?filename=secret.txt&subfolder=..')).status).toBe(403);
  });

  it('refuses an absolute path', async () => {
    const res = await t.fetch(`/view?filename=${encodeURIComponent(join(t.dataDir, 'secret.txt'))}`);
    expect(res.status).toBe(403);
  });

  it('refuses a symlink that points outside the data folder', async () => {
    const res = await t.fetch('/view?filename=link.txt');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('top secret');
  });

  it('refuses an unknown type', async () => {
    const res = await t.fetch('/view?filename=a.png&type=models');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe('"type" must be output, input or temp, got "models"');
  });

  it('requires a filename', async () => {
    expect((await errorOf(await t.fetch('/view'))).message).toBe('The "filename" query parameter is required');
  });
});
