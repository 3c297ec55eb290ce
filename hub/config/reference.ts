// Generates the config reference (for `sciencehub hub --help` and the docs) from the zod
// schemas, so the documentation cannot drift from what is validated.
import type { z } from 'zod';
import { HubConfigSchema } from './schema';

interface Line {
  key: string;
  type: string;
  def: string;
  description: string;
}

type AnySchema = z.ZodType & { description?: string; _zod: { def: Record<string, unknown> } };

function unwrap(schema: AnySchema): { inner: AnySchema; def: unknown; hasDefault: boolean; description?: string } {
  let cur = schema;
  let def: unknown;
  let hasDefault = false;
  let description = schema.description;
  for (;;) {
    const d = cur._zod.def;
    if (d.type === 'default' || d.type === 'prefault') {
      if (!hasDefault) { def = d.defaultValue; hasDefault = true; }
    } else if (d.type !== 'nullable' && d.type !== 'optional') {
      break;
    }
    cur = d.innerType as AnySchema;
    description ??= cur.description;
  }
  return { inner: cur, def, hasDefault, description };
}

function typeName(s: AnySchema): string {
  const d = s._zod.def;
  if (d.type === 'enum') return Object.values(d.entries as Record<string, string>).map((v) => `'${v}'`).join(' | ');
  if (d.type === 'literal') return (d.values as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (d.type === 'array') return `${typeName(unwrap(d.element as AnySchema).inner)}[]`;
  if (d.type === 'union') return (d.options as AnySchema[]).map((o) => typeName(unwrap(o).inner)).join(' | ');
  if (d.type === 'record') return 'map';
  return String(d.type);
}

/** The literal `kind` of an object option of a discriminated union, or null. */
function kindOf(option: AnySchema): string | null {
  const d = unwrap(option).inner._zod.def;
  if (d.type !== 'object') return null;
  const kind = (d.shape as Record<string, AnySchema>).kind;
  if (!kind) return null;
  const k = unwrap(kind).inner._zod.def;
  if (k.type === 'literal') return String((k.values as unknown[])[0]);
  if (k.type === 'enum') return String(Object.values(k.entries as Record<string, string>)[0]);
  return null;
}

function walk(schema: AnySchema, prefix: string, out: Line[]): void {
  const { inner, def, hasDefault, description } = unwrap(schema);
  const d = inner._zod.def;
  if (d.type === 'object') {
    if (prefix) out.push({ key: prefix, type: 'section', def: '', description: description ?? '' });
    for (const [k, v] of Object.entries(d.shape as Record<string, AnySchema>)) walk(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  const options = d.type === 'union' ? (d.options as AnySchema[]) : [];
  if (options.length > 0 && options.every((o) => kindOf(o) !== null)) {
    out.push({ key: prefix, type: 'one of', def: hasDefault ? JSON.stringify(def) : '', description: description ?? '' });
    for (const opt of options) walk(opt, `${prefix}[kind=${kindOf(opt)}]`, out);
    return;
  }
  out.push({ key: prefix, type: typeName(inner), def: hasDefault ? JSON.stringify(def) : '', description: description ?? '' });
  if (d.type === 'array' && unwrap(d.element as AnySchema).inner._zod.def.type === 'object') {
    const element = unwrap(d.element as AnySchema).inner;
    for (const [k, v] of Object.entries(element._zod.def.shape as Record<string, AnySchema>)) walk(v, `${prefix}[].${k}`, out);
  }
}

export function configReference(): string {
  const lines: Line[] = [];
  walk(HubConfigSchema as unknown as AnySchema, '', lines);
  return lines
    .map((l) => (l.type === 'section' ? `\n${l.key}:${l.description ? ` ${l.description}` : ''}` : `  ${l.key} (${l.type}${l.def ? `, default ${l.def}` : ''})${l.description ? `: ${l.description}` : ''}`))
    .join('\n');
}
