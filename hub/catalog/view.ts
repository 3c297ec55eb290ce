// Catalog entries as the pages show them (pure): labels of sizes, successor names.
import type { Catalog } from './catalog';
import type { AllowedChoice } from './resolve';
import { describeSize } from './resolve';
import type { SpawnImageChoice } from '../pages/spawn';

export function imageChoices(catalog: Catalog, allowed: readonly AllowedChoice[]): SpawnImageChoice[] {
  return allowed.map(({ image, sizes }) => ({
    id: image.id, displayName: image.displayName, description: image.description, version: image.version, tags: image.tags,
    deprecated: image.deprecated, successor: image.successor ? catalog.get(image.successor)?.displayName ?? image.successor : null,
    sizes: sizes.map((s) => ({ name: s.name, label: describeSize(s) })), defaultSize: image.defaultSize,
  }));
}
