/**
 * The Load Image thumbnail: its `/view` URL and when to ask again after the picture failed to load. The picture
 * can appear in `input/` after the widget first asks for it (an upload still arriving, a pack writing its demo
 * picture, a run writing one), and a browser does not re-request a URL that failed, so every new try and every
 * refresh gets its own URL.
 */

/** Waits before each retry of a thumbnail that failed to load, in ms; after the last one the thumbnail gives up. */
export const THUMBNAIL_RETRY_MS: readonly number[] = [500, 1000, 2000, 4000, 8000];

/**
 * The `/view` URL of an input picture named as a Load Image value (`name.png`, or `subfolder/name.png` as an upload
 * into a subfolder reports it). `revision` counts the times input files may have changed since the page loaded and
 * `attempt` the retries after a failed load; either one that is not zero adds a cache-busting `rev` parameter.
 * Undefined for an empty value.
 */
export function thumbnailUrl(value: string, revision = 0, attempt = 0): string | undefined {
  if (!value) return undefined;
  const q = new URLSearchParams({ filename: value, type: 'input', subfolder: '' });
  if (revision !== 0 || attempt !== 0) q.set('rev', `${revision}.${attempt}`);
  return `/view?${q.toString()}`;
}

/** How long to wait before retry number `attempt + 1` after load `attempt` failed; undefined once retries are spent. */
export function thumbnailRetryDelay(attempt: number): number | undefined {
  return THUMBNAIL_RETRY_MS[attempt];
}
