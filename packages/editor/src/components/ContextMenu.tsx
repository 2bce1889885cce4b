import { useLayoutEffect, useRef, useState } from 'react';
import type { MenuItem } from '../app/ui-store.js';

/**
 * Places a menu box at a client point, moved left or up as far as needed to keep it inside the window; a box
 * taller than the window scrolls. Fixed positioning, so a submenu escapes its scrolling parent.
 */
function usePlacement(at: { x: number; y: number }, flipX?: number): [React.RefObject<HTMLDivElement | null>, { left: number; top: number }] {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState({ left: at.x, top: at.y });
  useLayoutEffect(() => {
    const r = ref.current?.getBoundingClientRect();
    if (!r) return;
    let left = at.x;
    // A submenu that does not fit to the right opens to the left of its parent.
    if (left + r.width > innerWidth - 4) left = flipX !== undefined ? flipX - r.width : innerWidth - 4 - r.width;
    const top = Math.max(4, Math.min(at.y, innerHeight - 4 - r.height));
    setPlace({ left: Math.max(4, left), top });
  }, [at.x, at.y, flipX]);
  return [ref, place];
}

function Items({ items, close }: { items: MenuItem[]; close(): void }) {
  const [open, setOpen] = useState<{ key: string; rect: DOMRect } | undefined>();
  return (
    <>
      {items.map((item) => (
        <div
          key={item.key}
          className={`pg-menu-item${item.items ? ' pg-has-sub' : ''}${item.disabled ? ' pg-disabled' : ''}`}
          data-testid="context-menu-item"
          onPointerEnter={(e) => setOpen({ key: item.key, rect: e.currentTarget.getBoundingClientRect() })}
          onClick={(e) => {
            e.stopPropagation();
            if (item.disabled || !item.action) return;
            close();
            item.action();
          }}
        >
          {item.label}
          {item.items && open?.key === item.key && <Submenu items={item.items} anchor={open.rect} close={close} />}
        </div>
      ))}
    </>
  );
}

function Submenu({ items, anchor, close }: { items: MenuItem[]; anchor: DOMRect; close(): void }) {
  const [ref, place] = usePlacement({ x: anchor.right - 2, y: anchor.top - 4 }, anchor.left + 2);
  return (
    <div ref={ref} className="pg-menu pg-submenu pg-scroll" style={place} onClick={(e) => e.stopPropagation()}>
      <Items items={items} close={close} />
    </div>
  );
}

/** A context menu at a client point: items run their action, entries with a ▸ open their submenu on hover. */
export function ContextMenu({ at, items, onClose }: { at: { x: number; y: number }; items: MenuItem[]; onClose(): void }) {
  const [ref, place] = usePlacement(at);
  return (
    <div
      className="pg-menu-backdrop"
      onPointerDown={onClose}
      onContextMenu={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div ref={ref} className="pg-menu pg-scroll" data-testid="context-menu" style={place} onPointerDown={(e) => e.stopPropagation()}>
        <Items items={items} close={onClose} />
      </div>
    </div>
  );
}
