// The store section of the hub config and the factory that opens the configured Store.
// The file store is the embedded default; redis is for several hub processes.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Store } from './store';
import { openFileStore } from './file-store';

export const FileStoreConfigSchema = z
  .object({
    kind: z.literal('file').describe('Keep all hub state in one JSON file on local disk (one hub process only).'),
    path: z
      .string()
      .min(1)
      .default('./sciencehub-state.json')
      .describe('Path of the state file; written atomically with mode 0600, locked by <path>.lock.'),
  })
  .strict()
  .describe('Embedded file store.');

export const RedisStoreConfigSchema = z
  .object({
    kind: z.literal('redis').describe('Keep hub state in Redis, shared by every hub process.'),
    url: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, { error: 'expected a redis:// or rediss:// URL' })
      .describe('Redis URL, e.g. redis://redis:6379/0; a password may be given as redis://:secret@host:6379.'),
    prefix: z
      .string()
      .min(1)
      .default('sciencehub:')
      .describe('Prefix of every Redis key the store writes, so several hubs can share one Redis.'),
  })
  .strict()
  .describe('Redis store.');

export const StoreConfigSchema = z
  .discriminatedUnion('kind', [FileStoreConfigSchema, RedisStoreConfigSchema])
  .default({ kind: 'file', path: './sciencehub-state.json' })
  .describe('Where the hub keeps its state: users, servers, tokens, sessions, events.');

export type StoreConfig = z.infer<typeof StoreConfigSchema>;

export async function createStore(config: StoreConfig, deps: { logger: Logger }): Promise<Store> {
  const logger = deps.logger.child({ component: 'store' });
  switch (config.kind) {
    case 'file':
      logger.info({ kind: 'file', path: config.path }, 'store selected');
      return openFileStore(config.path, { logger });
    case 'redis': {
      // Loaded only here: ioredis is ~19 MiB of memory a file-store hub never needs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { openRedisStore, redactRedisUrl } = require('./redis-store') as typeof import('./redis-store');
      logger.info({ kind: 'redis', url: redactRedisUrl(config.url), prefix: config.prefix }, 'store selected');
      return openRedisStore(config.url, config.prefix, { logger });
    }
  }
}
