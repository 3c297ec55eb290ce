// Typed registry of spawner implementations by name, and the hub config's `spawner` section
// (a union on `kind`) built from it. Adding a spawner is one entry in `spawnerRegistry`.
import { z } from 'zod';
import { KubernetesSpawnerConfigSchema } from './kubernetes/config';
import type { KubernetesSpawnerConfig } from './kubernetes/config';
import { LocalSpawnerConfigSchema } from './local/config';
import { createLocalSpawner } from './local/local-spawner';
import type { Spawner, SpawnerDeps } from './types';

export interface SpawnerEntry<K extends string, S extends z.ZodObject> {
  kind: K;
  /** The spawner's own section, without `kind`. */
  configSchema: S;
  /** The section as it appears in the hub config: the same fields plus `kind: K`. */
  sectionSchema: z.ZodObject<S['shape'] & { kind: z.ZodLiteral<K> }, z.core.$strict>;
  create(config: z.infer<S>, deps: SpawnerDeps): Spawner;
}

function defineSpawner<K extends string, S extends z.ZodObject>(
  kind: K,
  configSchema: S,
  create: (config: z.infer<S>, deps: SpawnerDeps) => Spawner,
): SpawnerEntry<K, S> {
  const sectionSchema = configSchema
    .extend({ kind: z.literal(kind).describe(`Which spawner runs servers: '${kind}'.`) })
    .strict() as unknown as SpawnerEntry<K, S>['sectionSchema'];
  return { kind, configSchema, sectionSchema, create };
}

export const spawnerRegistry = {
  local: defineSpawner('local', LocalSpawnerConfigSchema, createLocalSpawner),
  // Loaded on use: @kubernetes/client-node alone adds about 68 MiB to a process that never needs it.
  kubernetes: defineSpawner('kubernetes', KubernetesSpawnerConfigSchema, (config: KubernetesSpawnerConfig, deps) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('./kubernetes/kubernetes-spawner') as typeof import('./kubernetes/kubernetes-spawner')).createKubernetesSpawner(config, deps)),
};

export type SpawnerKind = keyof typeof spawnerRegistry;
export const SPAWNER_KINDS = Object.keys(spawnerRegistry) as SpawnerKind[];

type SectionSchema = (typeof spawnerRegistry)[SpawnerKind]['sectionSchema'];
const sectionSchemas = Object.values(spawnerRegistry).map((e) => e.sectionSchema) as [SectionSchema, ...SectionSchema[]];

/** The hub config's `spawner` section; absent means the local spawner with its defaults. */
export const SpawnerConfigSchema = z
  .discriminatedUnion('kind', sectionSchemas)
  .prefault({ kind: 'local' })
  .describe('How single-user servers are run; `kind` picks the spawner, the other keys are its settings.');
export type SpawnerConfig = z.infer<typeof SpawnerConfigSchema>;
export type SpawnerConfigInput = z.input<typeof SpawnerConfigSchema>;

/** Build the configured spawner and log which one was chosen. */
export function createSpawner(config: SpawnerConfig, deps: SpawnerDeps): Spawner {
  const entry = spawnerRegistry[config.kind];
  if (!entry) throw new Error(`unknown spawner kind '${String(config.kind)}'`);
  // Each entry's create takes its own section; the discriminant guarantees the match.
  const create = entry.create as (c: SpawnerConfig, d: SpawnerDeps) => Spawner;
  const spawner = create(config, deps);
  deps.logger.info({ component: 'spawner', kind: spawner.kind }, 'spawner selected');
  return spawner;
}
