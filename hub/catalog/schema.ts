// The image catalog's schema (images/catalog.yaml): what each offered image is, which sizes it
// runs with, who may see it and whether links may start it. Types come from z.infer; cross-entry
// rules (unique ids, default size, successor) are checked here too, each naming its key path.
import { z } from 'zod';
import { UnitError, parseCpu, parseMemory } from './units';
import { parseImageReference } from './image-ref';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const Slug = z.string().regex(SLUG, { error: 'expected 1-63 lower-case letters, digits or "-", starting with a letter or digit' });

function unitField(parse: (v: unknown) => number, what: string) {
  return z.union([z.string(), z.number()], { error: `expected ${what} as a string or number` }).transform((value, ctx) => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof UnitError ? err.message : String(err) });
      return z.NEVER;
    }
  });
}
const Memory = unitField(parseMemory, 'a memory size');
const Cpu = unitField(parseCpu, 'a CPU amount');

export const SizeSchema = z
  .object({
    name: Slug.describe('size name shown in the form and used in links (?size=...)'),
    displayName: z.string().min(1).max(80).optional().describe('label in the form (default: the name)'),
    memory: Memory.describe('memory limit: 512M, 16G, 1.5Gi or bytes'),
    memoryGuarantee: Memory.nullable().default(null).describe('memory the server is guaranteed (default: none)'),
    cpuLimit: Cpu.describe('CPU limit in cores: 0.5, 2 or 500m'),
    cpuGuarantee: Cpu.nullable().default(null).describe('CPU the server is guaranteed (default: none)'),
  })
  .strict();
export type CatalogSize = z.infer<typeof SizeSchema>;

const ImageRef = z.string().superRefine((value, ctx) => {
  const parsed = parseImageReference(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `not a valid image reference: ${parsed}` });
  else if (parsed.tag === null) ctx.addIssue({ code: 'custom', message: 'the image reference needs a tag (name:version), optionally pinned with @sha256:...' });
  else if (parsed.tag === 'latest') ctx.addIssue({ code: 'custom', message: 'the tag "latest" is not a version; tag the image with its version' });
});

export const ImageSourceSchema = z.union([
  z.object({ dockerfile: z.string().regex(/^[\w.-]+(\/[\w.-]+)*\/Dockerfile$/, { error: 'expected a path below images/ ending in /Dockerfile' }).describe('Dockerfile below images/ that builds this image') }).strict(),
  z.object({ external: z.string().min(1).describe('where the image comes from (it is not built here)') }).strict(),
], { error: 'expected {dockerfile: <dir>/Dockerfile} or {external: <where it comes from>}' });

export const CatalogImageSchema = z
  .object({
    id: Slug.describe('stable id used in links (?image=...) and the API'),
    displayName: z.string().min(1).max(80),
    description: z.string().min(1).max(1000),
    version: z.string().regex(/^[\w][\w.-]{0,127}$/, { error: 'expected a version usable as an image tag' })
      .describe('version shown to users; must equal the image tag and the Dockerfile\'s version label'),
    image: ImageRef.describe('registry/repository:tag, optionally pinned with @sha256:<digest>'),
    source: ImageSourceSchema,
    sizes: z.array(SizeSchema).min(1, { error: 'an image needs at least one size' }),
    defaultSize: Slug.describe('name of the size picked when none is asked for'),
    tags: z.array(z.string().min(1).max(40)).default([]).describe('labels such as JWST or HST'),
    visibleTo: z.array(z.string().min(1)).default([]).describe('groups that may see and use it (empty: everyone)'),
    allowInLinks: z.boolean().default(false).describe('whether magic links and workshop links may pre-select it'),
    prePull: z.boolean().default(false).describe('pull it on every node ahead of time (Kubernetes image puller)'),
    deprecated: z.boolean().default(false).describe('still startable, shown with a notice pointing at the successor'),
    successor: Slug.nullable().default(null).describe('id of the image that replaces it'),
  })
  .strict();
export type CatalogImage = z.infer<typeof CatalogImageSchema>;

export const CatalogSchema = z
  .object({
    defaultImage: Slug.describe('id of the image started when none is asked for'),
    images: z.array(CatalogImageSchema).min(1, { error: 'the catalog needs at least one image' }),
  })
  .strict()
  .superRefine((catalog, ctx) => {
    if (catalog.images.length === 0) return; // already reported
    const ids = new Map<string, number>();
    catalog.images.forEach((img, i) => {
      if (ids.has(img.id)) ctx.addIssue({ code: 'custom', path: ['images', i, 'id'], message: `duplicate id "${img.id}" (also images.${ids.get(img.id)}.id)` });
      else ids.set(img.id, i);
    });
    catalog.images.forEach((img, i) => {
      const at = (...path: (string | number)[]) => ['images', i, ...path];
      const names = new Set<string>();
      img.sizes.forEach((s, j) => {
        if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: at('sizes', j, 'name'), message: `duplicate size name "${s.name}"` });
        names.add(s.name);
        if (s.memoryGuarantee !== null && s.memoryGuarantee > s.memory) ctx.addIssue({ code: 'custom', path: at('sizes', j, 'memoryGuarantee'), message: 'the guarantee is larger than the limit (memory)' });
        if (s.cpuGuarantee !== null && s.cpuGuarantee > s.cpuLimit) ctx.addIssue({ code: 'custom', path: at('sizes', j, 'cpuGuarantee'), message: 'the guarantee is larger than the limit (cpuLimit)' });
      });
      if (!names.has(img.defaultSize)) ctx.addIssue({ code: 'custom', path: at('defaultSize'), message: `no size named "${img.defaultSize}" (sizes: ${[...names].join(', ')})` });
      const ref = parseImageReference(img.image);
      if (typeof ref !== 'string' && ref.tag !== null && ref.tag !== 'latest' && ref.tag !== img.version) {
        ctx.addIssue({ code: 'custom', path: at('image'), message: `the tag "${ref.tag}" differs from version "${img.version}"` });
      }
      if (img.successor !== null) {
        if (img.successor === img.id) ctx.addIssue({ code: 'custom', path: at('successor'), message: 'an image cannot succeed itself' });
        else if (!ids.has(img.successor)) ctx.addIssue({ code: 'custom', path: at('successor'), message: `no image with id "${img.successor}"` });
      }
      if (img.deprecated && img.successor === null) ctx.addIssue({ code: 'custom', path: at('successor'), message: 'a deprecated image must name its successor' });
    });
    const def = catalog.images.find((img) => img.id === catalog.defaultImage);
    if (!def) ctx.addIssue({ code: 'custom', path: ['defaultImage'], message: `no image with id "${catalog.defaultImage}"` });
    else if (def.deprecated) ctx.addIssue({ code: 'custom', path: ['defaultImage'], message: `"${def.id}" is deprecated; make its successor the default` });
  });
export type CatalogDocument = z.infer<typeof CatalogSchema>;
