// What a real API server checks before it stores an object, for the kinds the spawner sends:
// the official schema (kubernetes-models), no field the schema does not know (what the API server
// does with fieldValidation=Strict), and the semantic rules we rely on (names, labels, requests
// not above limits, volume mounts naming volumes, Secret keys). Used server side and by unit tests.
import { Event } from 'kubernetes-models/v1/Event';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { StatusCause } from './status';

interface ModelClass {
  prototype: { validate(): void };
}

/** apiVersion/kind -> the official model whose validator we run. */
export const MODELS: Record<string, ModelClass> = {
  'v1/Pod': Pod as unknown as ModelClass,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Event': Event as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
};

interface Visited {
  path: string;
  value: object;
  read: Set<string>;
  /** The validator enumerated the keys: a map (labels, limits, data), where any key is allowed. */
  enumerated: boolean;
}

/**
 * A view of `value` that records which properties the schema validator looks at. The compiled
 * validators read every property their schema declares; a property never read is unknown.
 */
function tracked(value: unknown, path: string, visited: Visited[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const node: Visited = { path, value, read: new Set(), enumerated: false };
  visited.push(node);
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return v;
      node.read.add(key);
      if (v === null || typeof v !== 'object') return v;
      if (!children.has(key)) children.set(key, tracked(v, `${path}/${key}`, visited));
      return children.get(key);
    },
    ownKeys(target) {
      node.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** "/spec/containers/0/image" -> "spec.containers[0].image" */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .filter((p) => p !== '')
    .map((p, i) => (/^[0-9]+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

/** Schema errors and unknown fields of an object, judged by the official model of its kind. */
export function schemaCauses(obj: unknown): StatusCause[] {
  const o = (obj ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const model = MODELS[`${String(o.apiVersion)}/${String(o.kind)}`];
  if (!model) return [{ field: 'kind', message: `no schema for ${String(o.apiVersion)}/${String(o.kind)}`, reason: 'FieldValueNotSupported' }];
  const visited: Visited[] = [];
  const causes: StatusCause[] = [];
  try {
    model.prototype.validate.call(tracked(obj, '', visited));
  } catch (err) {
    const errors = (err as { errors?: Array<{ instancePath?: string; message?: string; params?: { missingProperty?: string } }> }).errors;
    if (!errors) throw err;
    for (const e of errors) {
      const where = e.params?.missingProperty ? `${e.instancePath ?? ''}/${e.params.missingProperty}` : (e.instancePath ?? '');
      causes.push({ field: fieldPath(where) || '<root>', message: e.message ?? 'invalid', reason: e.params?.missingProperty ? 'FieldValueRequired' : 'FieldValueInvalid' });
    }
  }
  for (const node of visited) {
    if (Array.isArray(node.value) || node.enumerated) continue;
    for (const key of Object.keys(node.value)) {
      if (!node.read.has(key)) causes.push({ field: fieldPath(`${node.path}/${key}`), message: `unknown field "${key}"`, reason: 'FieldValueInvalid' });
    }
  }
  return causes;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

function keyProblem(key: string): string | null {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name has at most one "/"';
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2 && !isDnsSubdomain(parts[0] ?? '')) return 'prefix part must be a DNS-1123 subdomain';
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) return 'name part must be 63 characters or less, alphanumeric at both ends, with -, _ or . inside';
  return null;
}

/** Quantity as a number (base units); NaN if not a quantity. */
export function quantityValue(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return Number.NaN;
  const m = /^([+-]?[0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?$/.exec(q);
  if (!m) return Number.NaN;
  const factors: Record<string, number> = {
    m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  const suffix = m[2] ?? '';
  const factor = suffix === '' ? 1 : /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : (factors[suffix] ?? Number.NaN);
  return Number(m[1]) * factor;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Rules beyond the schema that the API server enforces for these kinds. */
export function semanticCauses(object: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  const add = (field: string, message: string, reason = 'FieldValueInvalid') => causes.push({ field, message, reason });
  const o = obj(object);
  const meta = obj(o.metadata);
  const name = meta.name;
  if (typeof name !== 'string' || name === '') add('metadata.name', 'name is required', 'FieldValueRequired');
  else if (!isDnsSubdomain(name)) add('metadata.name', `"${name}" must be a lowercase RFC 1123 subdomain`);
  for (const [key, value] of Object.entries(obj(meta.labels))) {
    const problem = keyProblem(key);
    if (problem) add(`metadata.labels`, `"${key}": ${problem}`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) add(`metadata.labels`, `"${String(value)}": a label value must be 63 characters or less, alphanumeric at both ends`);
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(obj(meta.annotations))) {
    const problem = keyProblem(key);
    if (problem) add('metadata.annotations', `"${key}": ${problem}`);
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (annotationBytes > 256 * 1024) add('metadata.annotations', 'may not be more than 256 KiB in total');
  if (o.kind === 'Pod') podCauses(obj(o.spec), add);
  if (o.kind === 'Secret') {
    for (const key of [...Object.keys(obj(o.data)), ...Object.keys(obj(o.stringData))]) {
      if (!SECRET_KEY.test(key)) add('data', `"${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`);
    }
  }
  if (o.kind === 'PersistentVolumeClaim') {
    const spec = obj(o.spec);
    if (arr(spec.accessModes).length === 0) add('spec.accessModes', 'at least 1 access mode is required', 'FieldValueRequired');
    if (obj(obj(spec.resources).requests).storage === undefined) add('spec.resources.requests.storage', 'storage request is required', 'FieldValueRequired');
  }
  return causes;
}

function podCauses(spec: Obj, add: (field: string, message: string, reason?: string) => void): void {
  const volumes = new Set<string>();
  arr(spec.volumes).forEach((v, i) => {
    const vn = obj(v).name;
    if (typeof vn !== 'string' || !DNS_LABEL.test(vn) || vn.length > 63) add(`spec.volumes[${i}].name`, 'must be a DNS-1123 label');
    else if (volumes.has(vn)) add(`spec.volumes[${i}].name`, `"${vn}" is a duplicate`, 'FieldValueDuplicate');
    else volumes.add(vn);
  });
  if (arr(spec.containers).length === 0) add('spec.containers', 'must have at least one container', 'FieldValueRequired');
  arr(spec.containers).forEach((c, i) => {
    const container = obj(c);
    const at = `spec.containers[${i}]`;
    const cn = container.name;
    if (typeof cn !== 'string' || cn.length > 63 || !DNS_LABEL.test(cn)) add(`${at}.name`, 'must be a DNS-1123 label');
    if (typeof container.image !== 'string' || container.image.trim() === '') add(`${at}.image`, 'Required value', 'FieldValueRequired');
    arr(container.env).forEach((e, j) => {
      const en = obj(e).name;
      if (typeof en !== 'string' || !ENV_NAME.test(en)) add(`${at}.env[${j}].name`, 'a valid environment variable name must consist of alphabetic characters, digits, "_", "-" or "."');
      if (obj(e).value !== undefined && obj(e).valueFrom !== undefined) add(`${at}.env[${j}]`, 'may not have both value and valueFrom');
    });
    arr(container.volumeMounts).forEach((m, j) => {
      if (!volumes.has(String(obj(m).name))) add(`${at}.volumeMounts[${j}].name`, `volume "${String(obj(m).name)}" not found`, 'FieldValueNotFound');
    });
    const resources = obj(container.resources);
    const limits = obj(resources.limits);
    for (const [resource, request] of Object.entries(obj(resources.requests))) {
      if (limits[resource] !== undefined && quantityValue(request) > quantityValue(limits[resource])) {
        add(`${at}.resources.requests`, `"${String(request)}" must be less than or equal to ${resource} limit of ${String(limits[resource])}`);
      }
    }
  });
}

/** Every reason the API server would refuse this object. */
export function validationCauses(object: unknown): StatusCause[] {
  return [...schemaCauses(object), ...semanticCauses(object)];
}
