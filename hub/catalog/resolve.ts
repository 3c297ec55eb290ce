// Pure resolution of a spawn choice against the catalog, the user's groups and the user's
// per-server limits: which image and size start, or a refusal saying why and what is allowed.
// Used by the spawn form, magic links, workshop links and the REST API alike.
import type { Resources } from '../../spawner/types';
import type { Catalog, Viewer } from './catalog';
import { sizeOf } from './catalog';
import type { CatalogImage, CatalogSize } from './schema';
import { parseImageReference } from './image-ref';
import type { SpawnChoice } from './spawn-options';
import { formatCpu, formatMemory } from './units';

/** Per-server caps from the user's effective quota; null = no cap. */
export interface SizeLimits {
  memory: number | null;
  cpu: number | null;
}
export const NO_LIMITS: SizeLimits = { memory: null, cpu: null };

/** How the choice arrived: links may only name images marked allowInLinks. */
export type ChoiceVia = 'form' | 'link' | 'api' | 'workshop';

export type RefusalCode = 'bad-image' | 'unknown-image' | 'not-visible' | 'not-in-links' | 'unknown-size' | 'no-size-fits' | 'over-quota' | 'no-image';

export interface Refusal {
  ok: false;
  status: 400 | 403;
  code: RefusalCode;
  message: string;
}

export interface Resolved {
  ok: true;
  image: CatalogImage;
  size: CatalogSize;
  resources: Resources;
}

export interface AllowedChoice {
  image: CatalogImage;
  sizes: CatalogSize[];
}

export function describeSize(size: CatalogSize): string {
  return `${size.displayName ?? size.name} (${formatMemory(size.memory)}, ${formatCpu(size.cpuLimit)})`;
}

export function describeLimits(limits: SizeLimits): string {
  const parts = [limits.memory !== null ? `${formatMemory(limits.memory)} of memory` : null, limits.cpu !== null ? formatCpu(limits.cpu) : null].filter(Boolean);
  return parts.length ? `at most ${parts.join(' and ')} per server` : 'no limit';
}

export function withinLimits(size: CatalogSize, limits: SizeLimits): boolean {
  return (limits.memory === null || size.memory <= limits.memory) && (limits.cpu === null || size.cpuLimit <= limits.cpu);
}

export function resourcesOf(size: CatalogSize): Resources {
  return { memLimit: size.memory, memGuarantee: size.memoryGuarantee, cpuLimit: size.cpuLimit, cpuGuarantee: size.cpuGuarantee };
}

/** What this viewer may start (by this route), each image with the sizes within the limits. */
export function allowedChoices(catalog: Catalog, viewer: Viewer, limits: SizeLimits, via: ChoiceVia): AllowedChoice[] {
  return catalog
    .visibleTo(viewer)
    .filter((img) => via !== 'link' || img.allowInLinks)
    .map((image) => ({ image, sizes: image.sizes.filter((s) => withinLimits(s, limits)) }))
    .filter((c) => c.sizes.length > 0);
}

const refuse = (status: 400 | 403, code: RefusalCode, message: string): Refusal => ({ ok: false, status, code, message });

function findImage(catalog: Catalog, viewer: Viewer, wanted: string | null, via: ChoiceVia): CatalogImage | Refusal {
  if (wanted === null) return catalog.defaultFor(viewer) ?? refuse(403, 'no-image', 'No image in the catalog is available to you.');
  let img = catalog.get(wanted);
  if (!img && (wanted.includes('/') || wanted.includes(':') || wanted.includes('@'))) {
    const ref = parseImageReference(wanted);
    if (typeof ref === 'string') return refuse(400, 'bad-image', `"${wanted}" is not a catalog id nor a valid image reference: ${ref}.`);
    img = catalog.byReference(wanted);
  }
  if (!img) return refuse(400, 'unknown-image', `The image "${wanted}" is not in this hub's catalog; only catalog images can be started.`);
  // A workshop's image was checked when the organiser made the workshop; attendees need not see it.
  if (via !== 'workshop' && !catalog.isVisible(img, viewer)) return refuse(403, 'not-visible', `The image "${img.id}" is not available to you (it is limited to certain groups).`);
  if (via === 'link' && !img.allowInLinks) return refuse(403, 'not-in-links', `The image "${img.id}" (${img.displayName}) cannot be started from a link; choose it on the spawn page instead.`);
  return img;
}

/** Sizes that satisfy the request, smallest first. */
function fitting(img: CatalogImage, choice: SpawnChoice): CatalogSize[] | Refusal {
  let candidates = img.sizes;
  if (choice.size !== null) {
    const named = sizeOf(img, choice.size);
    if (!named) return refuse(400, 'unknown-size', `The image "${img.id}" has no size "${choice.size}" (sizes: ${img.sizes.map((s) => s.name).join(', ')}).`);
    candidates = [named];
  }
  const asked = [choice.memLimit !== null ? formatMemory(choice.memLimit) : null, choice.cpuLimit !== null ? formatCpu(choice.cpuLimit) : null].filter(Boolean).join(' and ');
  const fits = candidates
    .filter((s) => (choice.memLimit === null || s.memory >= choice.memLimit) && (choice.cpuLimit === null || s.cpuLimit >= choice.cpuLimit))
    .sort((a, b) => a.memory - b.memory || a.cpuLimit - b.cpuLimit);
  if (fits.length === 0) {
    const which = choice.size !== null ? `Size "${choice.size}" of "${img.id}" does not offer` : `No size of "${img.id}" offers`;
    return refuse(400, 'no-size-fits', `${which} ${asked} (sizes: ${img.sizes.map(describeSize).join(', ')}).`);
  }
  return fits;
}

export function resolveChoice(catalog: Catalog, viewer: Viewer, choice: SpawnChoice, options: { via: ChoiceVia; limits: SizeLimits }): Resolved | Refusal {
  const { limits } = options;
  const img = findImage(catalog, viewer, choice.image, options.via);
  if ('ok' in img) return img;
  const explicit = choice.size !== null || choice.memLimit !== null || choice.cpuLimit !== null;
  let size: CatalogSize | undefined;
  if (explicit) {
    const fits = fitting(img, choice);
    if (!Array.isArray(fits)) return fits;
    size = fits.find((s) => withinLimits(s, limits));
    if (!size) {
      const allowed = img.sizes.filter((s) => withinLimits(s, limits));
      return refuse(403, 'over-quota', `${describeSize(fits[0] as CatalogSize)} is over your quota (${describeLimits(limits)}). ${allowed.length ? `Sizes of "${img.id}" you may use: ${allowed.map(describeSize).join(', ')}.` : `No size of "${img.id}" is within it.`}`);
    }
  } else {
    const def = sizeOf(img, img.defaultSize) as CatalogSize;
    const allowed = img.sizes.filter((s) => withinLimits(s, limits)).sort((a, b) => b.memory - a.memory || b.cpuLimit - a.cpuLimit);
    size = withinLimits(def, limits) ? def : allowed[0];
    if (!size) return refuse(403, 'over-quota', `Every size of "${img.id}" is over your quota (${describeLimits(limits)}); the smallest is ${describeSize([...img.sizes].sort((a, b) => a.memory - b.memory)[0] as CatalogSize)}.`);
  }
  return { ok: true, image: img, size, resources: resourcesOf(size) };
}
