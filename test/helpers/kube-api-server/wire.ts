// What @kubernetes/client-node puts on the wire for a typed object: its generated serializer (the
// one the typed API classes use), so tests validate exactly what a create would send.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';

/** The JSON the client sends for `obj` given as a client model of `type` ('V1Pod', ...). */
export function toWire(obj: unknown, type: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(ObjectSerializer.serialize(obj, type, ''))) as Record<string, unknown>;
}

/**
 * True when serialising lost nothing: the client's serializer silently drops any property its
 * model does not know, so a builder typo would vanish instead of failing.
 */
export function serializesLosslessly(obj: unknown, type: string): boolean {
  const back: unknown = ObjectSerializer.deserialize(toWire(obj, type), type, '');
  return JSON.stringify(sortKeys(back)) === JSON.stringify(sortKeys(obj));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)]));
  }
  return v;
}
