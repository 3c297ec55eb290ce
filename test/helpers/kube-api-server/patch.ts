// Patch bodies the API server accepts: JSON merge patch (RFC 7386), strategic merge patch
// (treated as a merge patch: maps merge, lists are replaced, which is what it does for lists
// without a patch strategy) and JSON patch (RFC 6902: add, replace, remove, test).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key] ?? null, value);
  }
  return out;
}

function unescape(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new Error('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops) {
    const op = raw as { op?: unknown; path?: unknown; value?: Json };
    if (typeof op.path !== 'string' || !op.path.startsWith('/')) throw new Error(`invalid JSON patch path ${String(op.path)}`);
    const tokens = op.path.slice(1).split('/').map(unescape);
    const last = tokens.pop() ?? '';
    let parent: Json = doc;
    for (const t of tokens) {
      const next: Json | undefined = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : undefined;
      if (next === undefined) throw new Error(`JSON patch path ${op.path} does not exist`);
      parent = next;
    }
    if (op.op === 'test') {
      const current = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
      if (JSON.stringify(current) !== JSON.stringify(op.value)) throw new Error(`JSON patch test failed at ${op.path}`);
      continue;
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value ?? null));
      else if (op.op === 'replace') parent[index] = structuredClone(op.value ?? null);
      else if (op.op === 'remove') parent.splice(index, 1);
      else throw new Error(`unsupported JSON patch op ${String(op.op)}`);
    } else if (isObject(parent)) {
      if (op.op === 'add' || op.op === 'replace') {
        if (op.op === 'replace' && !(last in parent)) throw new Error(`JSON patch path ${op.path} does not exist`);
        parent[last] = structuredClone(op.value ?? null);
      } else if (op.op === 'remove') {
        if (!(last in parent)) throw new Error(`JSON patch path ${op.path} does not exist`);
        delete parent[last];
      } else {
        throw new Error(`unsupported JSON patch op ${String(op.op)}`);
      }
    } else if (tokens.length === 0 && last === '' && (op.op === 'add' || op.op === 'replace')) {
      doc = structuredClone(op.value ?? null);
    } else {
      throw new Error(`JSON patch path ${op.path} does not exist`);
    }
  }
  return doc;
}

export function applyPatch(contentType: string, target: unknown, patch: unknown): unknown {
  const type = contentType.split(';')[0]?.trim();
  if (type === 'application/json-patch+json') return jsonPatch(target as Json, patch);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') return mergePatch(target as Json, patch as Json);
  throw new Error(`unsupported patch content type ${contentType}`);
}
