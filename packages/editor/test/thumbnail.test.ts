import { describe, expect, it } from 'vitest';
import { THUMBNAIL_RETRY_MS, thumbnailRetryDelay, thumbnailUrl } from '../src/components/thumbnail.js';

const query = (url: string | undefined) => Object.fromEntries(new URL(url!, 'http://editor').searchParams);

describe('thumbnailUrl', () => {
  it('asks /view for the input picture under its plain URL on first show', () => {
    expect(thumbnailUrl('piagraph-demo.png')).toBe('/view?filename=piagraph-demo.png&type=input&subfolder=');
  });

  it('has no thumbnail for an empty value', () => {
    expect(thumbnailUrl('')).toBeUndefined();
  });

  it('gives each retry after a failed load a URL of its own, so the browser asks the server again', () => {
    const urls = [0, 1, 2].map((attempt) => thumbnailUrl('piagraph-demo.png', 0, attempt));
    expect(new Set(urls).size).toBe(3);
    expect(query(urls[2])).toEqual({ filename: 'piagraph-demo.png', type: 'input', subfolder: '', rev: '0.2' });
  });

  it('gives each input-files revision a URL of its own, so an overwritten picture reloads under the same name', () => {
    expect(thumbnailUrl('cat.png', 1)).not.toBe(thumbnailUrl('cat.png', 2));
    expect(query(thumbnailUrl('cat.png', 2))).toEqual({ filename: 'cat.png', type: 'input', subfolder: '', rev: '2.0' });
  });

  it('escapes names with spaces and subfolders as query values', () => {
    expect(query(thumbnailUrl('uploads/my cat (1).png'))['filename']).toBe('uploads/my cat (1).png');
  });
});

describe('thumbnailRetryDelay', () => {
  it('waits longer before each retry and gives up after the last', () => {
    const delays = THUMBNAIL_RETRY_MS.map((_, attempt) => thumbnailRetryDelay(attempt)!);
    expect(delays.every((d, i) => i === 0 || d > delays[i - 1]!)).toBe(true);
    expect(thumbnailRetryDelay(THUMBNAIL_RETRY_MS.length)).toBeUndefined();
  });

  it('keeps retrying for at least ten seconds, longer than the pack takes to write its demo picture', () => {
    expect(THUMBNAIL_RETRY_MS.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10_000);
  });
});
