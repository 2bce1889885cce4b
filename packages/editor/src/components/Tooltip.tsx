import { useEffect, useState } from 'react';

/** How long the pointer rests on an element before its tooltip shows, in ms. */
const DELAY_MS = 450;

/**
 * Tooltips for every element with a `data-tooltip` (inputs and sockets carry their `object_info` tooltip and type):
 * shown after the pointer rests, hidden when it moves off or presses. One listener for the whole page.
 */
export function TooltipLayer() {
  const [tip, setTip] = useState<{ text: string; x: number; y: number } | undefined>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: Element | undefined;
    const hide = () => {
      clearTimeout(timer);
      current = undefined;
      setTip(undefined);
    };
    const over = (e: PointerEvent) => {
      const el = (e.target as Element).closest?.('[data-tooltip]') ?? undefined;
      if (el === current) return;
      hide();
      if (!el || e.buttons) return;
      current = el;
      const text = el.getAttribute('data-tooltip') ?? '';
      const { clientX, clientY } = e;
      timer = setTimeout(() => setTip({ text, x: clientX, y: clientY }), DELAY_MS);
    };
    document.addEventListener('pointerover', over);
    document.addEventListener('pointerdown', hide, true);
    document.addEventListener('wheel', hide, true);
    return () => {
      hide();
      document.removeEventListener('pointerover', over);
      document.removeEventListener('pointerdown', hide, true);
      document.removeEventListener('wheel', hide, true);
    };
  }, []);
  if (!tip) return null;
  return (
    <div className="pg-tooltip" role="tooltip" data-testid="tooltip" style={{ left: Math.min(tip.x + 12, innerWidth - 330), top: tip.y + 18 }}>
      {tip.text}
    </div>
  );
}
