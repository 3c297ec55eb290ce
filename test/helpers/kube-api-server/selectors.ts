// Label and field selectors as the API server parses them (the subset the spawner and tests use):
// labels: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k; fields: path=v, path==v, path!=v.

type Labels = Readonly<Record<string, string>>;
export type Matcher = (labels: Labels) => boolean;

/** Splits on commas that are not inside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (!selector) return () => true;
  const checks: Matcher[] = terms(selector).map((term) => {
    let m = /^([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, key = '', op, list = ''] = m;
      const values = new Set(list.split(',').map((v) => v.trim()));
      return op === 'in' ? (l) => key in l && values.has(l[key] ?? '') : (l) => !(key in l) || !values.has(l[key] ?? '');
    }
    m = /^([^\s!=,()]+)\s*(==|=|!=)\s*([^\s,()]*)$/.exec(term);
    if (m) {
      const [, key = '', op, value = ''] = m;
      return op === '!=' ? (l) => l[key] !== value : (l) => key in l && l[key] === value;
    }
    m = /^(!?)([^\s!=,()]+)$/.exec(term);
    if (m) {
      const [, not, key = ''] = m;
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    throw new Error(`unable to parse requirement: "${term}"`);
  });
  return (labels) => checks.every((c) => c(labels));
}

function valueAt(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

const FIELDS = new Set([
  'metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName', 'type', 'reason',
  'involvedObject.kind', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.namespace',
]);

export function parseFieldSelector(selector: string | null): (obj: unknown) => boolean {
  if (!selector) return () => true;
  const checks = terms(selector).map((term) => {
    const m = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`invalid field selector: "${term}"`);
    const [, path = '', op, value = ''] = m;
    if (!FIELDS.has(path)) throw new Error(`field label not supported: ${path}`);
    return op === '!=' ? (o: unknown) => valueAt(o, path) !== value : (o: unknown) => valueAt(o, path) === value;
  });
  return (obj) => checks.every((c) => c(obj));
}
