import { cssTypeName, socketColor } from '../defs/socket-types.js';
import type { TypedSocket } from '../rete/schemes.js';

/** A socket dot coloured by its type through `--color-datatype-<TYPE>`. */
export function SocketView({ data }: { data: TypedSocket }) {
  return (
    <div
      className="pg-socket"
      title={data.type}
      data-socket-type={data.type}
      style={{ background: `var(--color-datatype-${cssTypeName(data.type)}, ${socketColor(data.type)})` }}
    />
  );
}
