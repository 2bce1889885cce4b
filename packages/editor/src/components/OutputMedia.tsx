import type { MediaItem } from '../store/run-state.js';
import { NoDrag } from './Widgets.js';

/** The files an output node produced: videos play in a loop, images and animated WebP/GIF show as images. */
export function OutputMedia({ items }: { items: MediaItem[] }) {
  return (
    <NoDrag className="pg-outputs">
      {items.map((item) => (
        <figure className="pg-output-media" key={item.url}>
          {item.kind === 'video' ? (
            <video data-testid="output-video" src={item.url} autoPlay loop muted playsInline controls />
          ) : (
            <img data-testid="output-image" src={item.url} alt={item.filename} />
          )}
          <figcaption>
            <a href={item.url} download={item.filename} data-testid="output-download">
              {item.filename}
            </a>
          </figcaption>
        </figure>
      ))}
    </NoDrag>
  );
}
