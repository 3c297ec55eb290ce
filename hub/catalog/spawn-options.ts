// Strict parsing of what a spawn asks for, from a magic link's query string or an API body:
// JupyterHub's names (image, profile, mem_limit, cpu_limit), our `size`, and JupyterHub 6's
// `opt-` prefixed spellings of the same. Unknown or repeated names are refused. Pure.
import { UnitError, parseCpu, parseMemory } from './units';

export interface SpawnChoice {
  /** Catalog id or image reference; null = the default image. */
  image: string | null;
  /** Catalog size name; null = chosen from memLimit/cpuLimit or the image's default. */
  size: string | null;
  /** Bytes / cores asked for; the smallest catalog size that fits is chosen. */
  memLimit: number | null;
  cpuLimit: number | null;
  /** Workshop id (set by the hub for workshop starts, never by a link). */
  workshop: string | null;
}

export interface LinkRequest extends SpawnChoice {
  /** The home page's "start another server" form names the server this way. */
  serverName: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Canonical names of the options, by every spelling a link or body may use. */
const OPTION_NAMES: Record<string, keyof SpawnChoice> = {
  image: 'image', profile: 'image', size: 'size', mem_limit: 'memLimit', cpu_limit: 'cpuLimit',
};
const LINK_ONLY: Record<string, 'serverName'> = { server_name: 'serverName' };

export function emptyChoice(): SpawnChoice {
  return { image: null, size: null, memLimit: null, cpuLimit: null, workshop: null };
}

function show(name: string): string {
  return name.length > 40 ? `"${name.slice(0, 37)}..."` : `"${name}"`;
}

/** Sets one option, recording a problem instead of throwing. */
function apply(target: SpawnChoice, key: keyof SpawnChoice, name: string, value: unknown, problems: string[]): void {
  const text = typeof value === 'string' ? value.trim() : value;
  if (text === '' || text === null || text === undefined) {
    problems.push(`${name} is empty`);
    return;
  }
  try {
    if (key === 'memLimit') target.memLimit = parseMemory(text);
    else if (key === 'cpuLimit') target.cpuLimit = parseCpu(text);
    else if (typeof text !== 'string') problems.push(`${name}: expected text, got ${JSON.stringify(text)}`);
    else if (text.length > 512) problems.push(`${name} is longer than 512 characters`);
    else target[key] = text as never;
  } catch (err) {
    problems.push(`${name}: ${err instanceof UnitError ? err.message : String(err)}`);
  }
}

/**
 * A magic link's query: `image=astro&mem_limit=16G&cpu_limit=2` or `opt-image=...`. Each option
 * may appear once in either spelling; anything else is a problem naming the parameter.
 */
export function parseLinkQuery(search: string): Parsed<LinkRequest> {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const out: LinkRequest = { ...emptyChoice(), serverName: null };
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [rawName, value] of params) {
    const name = rawName.startsWith('opt-') ? rawName.slice(4) : rawName;
    const option = OPTION_NAMES[name];
    const linkOnly = rawName === name ? LINK_ONLY[name] : undefined;
    const key = option ?? linkOnly;
    if (key === undefined) {
      problems.push(`unknown parameter ${show(rawName)}`);
      continue;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(earlier === rawName ? `${rawName} is given more than once` : `${rawName} repeats ${earlier}`);
      continue;
    }
    seen.set(key, rawName);
    if (linkOnly) {
      if (value === '') problems.push(`${rawName} is empty`);
      else out[linkOnly] = value;
    } else {
      apply(out, option as keyof SpawnChoice, rawName, value, problems);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: out };
}

/**
 * The user_options of POST /hub/api/users/{name}/server[s/{server}] (JSON), same names as a
 * link (an empty object means the defaults). `workshop` is accepted here: the hub checks it.
 */
export function parseUserOptions(body: Record<string, unknown>): Parsed<SpawnChoice> {
  const out = emptyChoice();
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [rawName, value] of Object.entries(body)) {
    const name = rawName.startsWith('opt-') ? rawName.slice(4) : rawName;
    const key: keyof SpawnChoice | undefined = OPTION_NAMES[name] ?? (name === 'workshop' ? 'workshop' : undefined);
    if (key === undefined) {
      problems.push(`unknown option ${show(rawName)} (known: image, profile, size, mem_limit, cpu_limit, each also with an opt- prefix)`);
      continue;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(`${rawName} repeats ${earlier}`);
      continue;
    }
    seen.set(key, rawName);
    apply(out, key, rawName, value, problems);
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: out };
}

/** The options as stored on the server (user_options in the API): canonical names only. */
export function choiceToUserOptions(image: string, size: string, workshop: string | null): Record<string, string> {
  return workshop ? { image, size, workshop } : { image, size };
}
