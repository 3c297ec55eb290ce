// Checks a Kubernetes object against the official schemas: kubernetes-models' validators (types,
// formats, required fields) plus a strict walk that rejects fields the API does not define,
// using the attribute maps of @kubernetes/client-node's models (generated from the same OpenAPI).
import * as k8s from '@kubernetes/client-node';

type Attribute = { baseName: string; type: string };
type ModelClass = { getAttributeTypeMap(): Attribute[] };

const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString', 'RuntimeRawExtension']);

function modelClass(type: string): ModelClass | undefined {
  const c = (k8s as unknown as Record<string, unknown>)[type];
  return c !== null && typeof c === 'function' && 'getAttributeTypeMap' in c ? (c as unknown as ModelClass) : undefined;
}

/** Paths of fields that no schema defines, e.g. `spec.containers[0].imagePullPolcy`. */
export function unknownFields(value: unknown, type: string, at = ''): string[] {
  if (value === null || value === undefined || SCALARS.has(type)) return [];
  const arrayOf = /^Array<(.+)>$/.exec(type);
  if (arrayOf) {
    return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, arrayOf[1]!, `${at}[${i}]`)) : [];
  }
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (mapOf) {
    return typeof value === 'object' ? Object.entries(value as object).flatMap(([k, v]) => unknownFields(v, mapOf[1]!, `${at}.${k}`)) : [];
  }
  const cls = modelClass(type);
  if (!cls) throw new Error(`no schema for type ${type} at ${at || '(root)'}`);
  if (typeof value !== 'object' || Array.isArray(value)) return [];
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const t = attrs.get(key);
    const path = at ? `${at}.${key}` : key;
    return t === undefined ? [path] : unknownFields(v, t, path);
  });
}

/** The client-node model name of an object: apps/v1 Deployment -> V1Deployment. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop()!;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** Problems with one object: schema violations and unknown fields; [] when it is valid. */
export function validateK8sObject(obj: { apiVersion: string; kind: string; [k: string]: unknown }): string[] {
  const problems: string[] = [];
  const modulePath = `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
  let Model: new (data: unknown) => { validate(): void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as Record<string, new (data: unknown) => { validate(): void }>;
    Model = mod[obj.kind]!;
  } catch {
    return [`no kubernetes-models schema for ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    new Model(obj).validate();
  } catch (err) {
    problems.push(`schema: ${(err as Error).message}`);
  }
  problems.push(...unknownFields(obj, modelName(obj.apiVersion, obj.kind)).map((p) => `unknown field ${p}`));
  return problems;
}
