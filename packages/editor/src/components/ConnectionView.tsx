import { Presets } from 'rete-react-plugin';
import { cssTypeName, socketColor } from '../defs/socket-types.js';

/** A wire drawn in its type's colour (the pseudo-connection while dragging has no type and draws neutral). */
export function makeConnectionComponent(typeOf: (connectionId: string) => string | undefined) {
  return function ConnectionView({ data }: { data: { id: string } }) {
    const { path } = Presets.classic.useConnection();
    if (!path) return null;
    const type = typeOf(data.id);
    const stroke = type ? `var(--color-datatype-${cssTypeName(type)}, ${socketColor(type)})` : 'var(--color-wire-pending)';
    return (
      <svg className="pg-connection" data-testid="connection" data-link-id={data.id}>
        <path d={path} style={{ stroke }} />
      </svg>
    );
  };
}
