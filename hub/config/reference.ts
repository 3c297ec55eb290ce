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
  if (d.type === 'array') return `${typeName(unwrap(d.element as AnySchema).inner)}[]`;
  if (d.type === 'record') return 'map';
  return String(d.type);
}

function walk(schema: AnySchema, prefix: string, out: Line[]): void {
  const { inner, def, hasDefault, description } = unwrap(schema);
  const d = inner._zod.def;
  if (d.type === 'object') {
    if (prefix) out.push({ key: prefix, type: 'section', def: '', description: description ?? '' });
    for (const [k, v] of Object.entries(d.shape as Record<string, AnySchema>)) walk(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (d.type === 'union' && Array.isArray(d.options)) {
    out.push({ key: prefix, type: 'one of', def: hasDefault ? JSON.stringify(def) : '', description: description ?? '' });
    for (const opt of d.options as AnySchema[]) {
      const kind = unwrap(opt).inner._zod.def;
      const kindShape = (kind.shape as Record<string, AnySchema> | undefined)?.kind;
      const label = kindShape ? String(Object.values(unwrap(kindShape).inner._zod.def.entries as object ?? {})[0] ?? (unwrap(kindShape).inner._zod.def.values as unknown[] | undefined)?.[0]) : '?';
      walk(opt, `${prefix}[kind=${label}]`, out);
    }
    return;
  }
  out.push({ key: prefix, type: typeName(inner), def: hasDefault ? JSON.stringify(def) : '', description: description ?? '' });
}

export function configReference(): string {
  const lines: Line[] = [];
  walk(HubConfigSchema as unknown as AnySchema, '', lines);
  return lines
    .map((l) => (l.type === 'section' ? `\n${l.key}:${l.description ? ` ${l.description}` : ''}` : `  ${l.key} (${l.type}${l.def ? `, default ${l.def}` : ''})${l.description ? `: ${l.description}` : ''}`))
    .join('\n');
}
