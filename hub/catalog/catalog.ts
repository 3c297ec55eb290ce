// Loads images/catalog.yaml, validates it (each problem names its key path, and the hub does not
// start) and answers lookups: by id, by image reference, and what a user may see.
import { ConfigError, formatIssues, readConfigFile } from '../config/load';
import { CatalogSchema, type CatalogDocument, type CatalogImage, type CatalogSize } from './schema';
import { parseImageReference, withoutDigest } from './image-ref';
import { catalogPath, type ImagesConfig } from './config';

/** Who is looking: admins see every image, others those open to everyone or to one of their groups. */
export interface Viewer {
  admin: boolean;
  groups: readonly string[];
}

export class Catalog {
  private readonly byId: Map<string, CatalogImage>;

  constructor(readonly document: CatalogDocument, readonly source: string) {
    this.byId = new Map(document.images.map((img) => [img.id, img]));
  }

  get images(): readonly CatalogImage[] {
    return this.document.images;
  }

  get defaultImageId(): string {
    return this.document.defaultImage;
  }

  get(id: string): CatalogImage | undefined {
    return this.byId.get(id);
  }

  /** The entry whose reference matches (a digest, when given, must match too). */
  byReference(reference: string): CatalogImage | undefined {
    const wanted = parseImageReference(reference);
    if (typeof wanted === 'string') return undefined;
    return this.images.find((img) => {
      const own = parseImageReference(img.image);
      if (typeof own === 'string' || withoutDigest(own) !== withoutDigest(wanted)) return false;
      return wanted.digest === null || wanted.digest === own.digest;
    });
  }

  isVisible(img: CatalogImage, viewer: Viewer): boolean {
    return viewer.admin || img.visibleTo.length === 0 || img.visibleTo.some((g) => viewer.groups.includes(g));
  }

  visibleTo(viewer: Viewer): CatalogImage[] {
    return this.images.filter((img) => this.isVisible(img, viewer));
  }

  /** The default image for this viewer: the catalog's default if visible, else the first visible, non-deprecated one. */
  defaultFor(viewer: Viewer): CatalogImage | undefined {
    const def = this.get(this.defaultImageId);
    if (def && this.isVisible(def, viewer)) return def;
    const visible = this.visibleTo(viewer);
    return visible.find((img) => !img.deprecated) ?? visible[0];
  }
}

export function sizeOf(img: CatalogImage, name: string): CatalogSize | undefined {
  return img.sizes.find((s) => s.name === name);
}

/** Validates a parsed YAML document; `source` names the file in errors. */
export function parseCatalog(raw: unknown, source: string): Catalog {
  const result = CatalogSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues, raw));
  return new Catalog(result.data, source);
}

export function loadCatalog(file: string): Catalog {
  return parseCatalog(readConfigFile(file), file);
}

/** One catalog per config section: read and validated at the first call (the hub's start-up). */
const loaded = new WeakMap<ImagesConfig, Catalog>();

export function catalogFor(images: ImagesConfig): Catalog {
  let catalog = loaded.get(images);
  if (!catalog) {
    catalog = loadCatalog(catalogPath(images));
    loaded.set(images, catalog);
  }
  return catalog;
}
