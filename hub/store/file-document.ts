// The on-disk shape of the file store (one JSON document) and its strict parser.
// Pure: text in, state or a StoreError naming the file and the bad entry out. Never resets data.
import { z } from 'zod';
import { EventSchema, type HubEvent } from './store';
import { COLLECTION_NAMES, COLLECTION_SCHEMAS, StoreError, describeIssues, type CollectionName } from './collections';

export interface StoredEntry {
  value: unknown;
  /** Epoch milliseconds after which the entry is gone, or null. */
  expiresAt: number | null;
  /** A deep-frozen copy that list() hands out without copying again; a write replaces the entry. */
  frozen?: unknown;
}

export interface FileState {
  collections: Record<CollectionName, Map<string, StoredEntry>>;
  /** Oldest first. */
  events: HubEvent[];
}

// Entries are arrays of {key, value} rather than objects keyed by the entry key, so that keys
// such as "__proto__" round-trip safely.
const EntrySchema = z
  .object({ key: z.string().min(1), value: z.unknown(), expiresAt: z.number().int().nullable() })
  .strict();

const DocumentSchema = z
  .object({
    format: z.literal('sciencehub-state'),
    version: z.literal(1),
    collections: z
      .object(Object.fromEntries(COLLECTION_NAMES.map((name) => [name, z.array(EntrySchema).default([])])))
      .strict(),
    events: z.array(EventSchema),
  })
  .strict();

export function emptyState(): FileState {
  const collections = {} as Record<CollectionName, Map<string, StoredEntry>>;
  for (const name of COLLECTION_NAMES) collections[name] = new Map();
  return { collections, events: [] };
}

/** Parse the document text; `file` only names the file in errors. */
export function parseStateDocument(text: string, file: string): FileState {
  const advice = 'fix or restore it; sciencehub did not change it';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StoreError(`state file ${file} is not valid JSON (${(err as Error).message}); ${advice}`);
  }
  const doc = DocumentSchema.safeParse(json);
  if (!doc.success) throw new StoreError(`state file ${file} is invalid: ${describeIssues(doc.error)}; ${advice}`);
  const state = emptyState();
  for (const name of COLLECTION_NAMES) {
    const entries = (doc.data.collections[name] ?? []) as z.infer<typeof EntrySchema>[];
    entries.forEach((entry, index) => {
      const where = ['collections', name, index, 'value'];
      const parsed = COLLECTION_SCHEMAS[name].safeParse(entry.value);
      if (!parsed.success) {
        throw new StoreError(
          `state file ${file} is invalid: ${name} entry ${JSON.stringify(entry.key)}: ${describeIssues(parsed.error, where)}; ${advice}`,
        );
      }
      if (state.collections[name].has(entry.key)) {
        throw new StoreError(`state file ${file} is invalid: ${name} has key ${JSON.stringify(entry.key)} twice; ${advice}`);
      }
      state.collections[name].set(entry.key, { value: parsed.data, expiresAt: entry.expiresAt });
    });
  }
  state.events = doc.data.events;
  return state;
}

/** Serialise the state, leaving out entries that expired by `now`. */
export function serializeState(state: FileState, now: number): string {
  const collections: Record<string, { key: string; value: unknown; expiresAt: number | null }[]> = {};
  for (const name of COLLECTION_NAMES) {
    const out: { key: string; value: unknown; expiresAt: number | null }[] = [];
    for (const [key, entry] of state.collections[name]) {
      if (entry.expiresAt === null || entry.expiresAt > now) out.push({ key, value: entry.value, expiresAt: entry.expiresAt });
    }
    collections[name] = out;
  }
  return JSON.stringify({ format: 'sciencehub-state', version: 1, collections, events: state.events });
}
