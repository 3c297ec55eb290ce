// The `images` section of the hub config: where the image catalog lives. Composed into
// hub/config/schema.ts. The catalog itself is validated when the hub starts (catalog.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ImagesConfigSchema = z
  .object({
    catalog: z.string().min(1).nullable().default(null)
      .describe("path of the image catalog (YAML); default: the repository's images/catalog.yaml. With the local spawner the image is informational: the local command runs"),
  })
  .strict();
export type ImagesConfig = z.infer<typeof ImagesConfigSchema>;

/** The repository's images/catalog.yaml, from the sources (hub/catalog) or the build (dist/hub/catalog). */
export function bundledCatalogPath(): string {
  const candidates = [path.resolve(__dirname, '../../images/catalog.yaml'), path.resolve(__dirname, '../../../images/catalog.yaml')];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

export function catalogPath(config: ImagesConfig): string {
  return config.catalog === null ? bundledCatalogPath() : path.resolve(config.catalog);
}
