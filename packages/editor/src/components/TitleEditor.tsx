import { useEffect, useRef, useState } from 'react';

/**
 * An in-place title editor (node or group): Enter or leaving it commits, Escape cancels; an empty title commits as
 * `''`, which the caller reads as "back to the default".
 */
export function TitleEditor({ initial, onDone, className = 'pg-title-input' }: { initial: string; onDone(title: string | undefined): void; className?: string }) {
  const [text, setText] = useState(initial);
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (title: string | undefined) => {
    if (done.current) return;
    done.current = true;
    onDone(title);
  };
  return (
    <input
      ref={input}
      className={className}
      data-testid="title-input"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => finish(text.trim())}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') finish(text.trim());
        else if (e.key === 'Escape') finish(undefined);
      }}
      onPointerDown={(e) => e.stopPropagation()}
    />
  );
}
