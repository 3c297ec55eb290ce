// Reads the YAML config, applies environment overrides for secrets, validates it, and reports
// every problem as `path.to.key: what was expected, got what` (secret values never echoed).
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import { HubConfigSchema, type HubConfig } from './schema';

export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`invalid configuration in ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_KEY = /token|secret|password|url/i;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One readable line per zod issue, naming the key path. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    if (issue.code === 'invalid_key') {
      // A bad key in a map (e.g. spawner.env): name the key and the rule, never the value.
      const reason = issue.issues[0]?.message ?? issue.message;
      return `${path}: invalid key: ${reason}, got "${String(issue.path[issue.path.length - 1] ?? '')}"`;
    }
    const last = String(issue.path[issue.path.length - 1] ?? '');
    const hidden = SECRET_KEY.test(last) || issue.path.slice(0, 3).join('.') === 'auth.dev.users';
    const got = hidden ? '(value hidden)' : describeValue(valueAt(input, issue.path));
    return `${path}: ${issue.message.replace(/^Invalid input: /, '')}, got ${got}`;
  });
}

/** Secrets may come from the environment instead of the file. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(raw);
  const section = (name: string): Record<string, unknown> => {
    const cur = out[name];
    if (cur !== undefined && (cur === null || typeof cur !== 'object' || Array.isArray(cur))) return {};
    const obj = (cur as Record<string, unknown> | undefined) ?? {};
    out[name] = obj;
    return obj;
  };
  if (env.SCIENCEHUB_COOKIE_SECRET) section('hub').cookieSecret = env.SCIENCEHUB_COOKIE_SECRET;
  if (env.CONFIGPROXY_AUTH_TOKEN) section('proxy').authToken = env.CONFIGPROXY_AUTH_TOKEN;
  if (env.SCIENCEHUB_EDGE_SECRET) section('proxy').edgeAuthSecret = env.SCIENCEHUB_EDGE_SECRET;
  const store = out.store;
  if (env.SCIENCEHUB_REDIS_URL && store !== null && typeof store === 'object' && !Array.isArray(store)
      && (store as Record<string, unknown>).kind === 'redis') {
    out.store = { ...(store as Record<string, unknown>), url: env.SCIENCEHUB_REDIS_URL };
  }
  if (Array.isArray(out.services)) {
    out.services = out.services.map((svc: unknown) => {
      if (svc === null || typeof svc !== 'object' || typeof (svc as { name?: unknown }).name !== 'string') return svc;
      const name = (svc as { name: string }).name;
      const fromEnv = env[`SCIENCEHUB_SERVICE_TOKEN_${name.toUpperCase().replace(/-/g, '_')}`];
      return fromEnv ? { ...svc, token: fromEnv } : svc;
    });
  }
  return out;
}

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = {}, source = 'config'): HubConfig {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [`(top level): expected a mapping of sections, got ${describeValue(raw)}`]);
  }
  const input = applyEnvOverrides(raw as Record<string, unknown>, env);
  const result = HubConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues, input));
  return result.data;
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(path, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  }
  return doc.toJS();
}

/** Deep merge of plain objects (arrays and scalars from `over` win). */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const bothObjects = [prev, value].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    out[key] = bothObjects ? mergeConfig(prev as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

/** The embedded defaults of `npm start`: a local trial on loopback with open dev sign-in. */
export const TRIAL_DEFAULTS: Record<string, unknown> = {
  auth: { kind: 'dev', dev: { allowed: true, openSignup: true } },
};

export function loadConfig(options: { path?: string; trial?: boolean; env?: NodeJS.ProcessEnv }): HubConfig {
  const env = options.env ?? process.env;
  let raw: Record<string, unknown> = options.trial ? structuredClone(TRIAL_DEFAULTS) : {};
  if (options.path) {
    const fromFile = readConfigFile(options.path);
    if (fromFile !== null && fromFile !== undefined && (typeof fromFile !== 'object' || Array.isArray(fromFile))) {
      throw new ConfigError(options.path, [`(top level): expected a mapping of sections, got ${describeValue(fromFile)}`]);
    }
    raw = mergeConfig(raw, (fromFile ?? {}) as Record<string, unknown>);
  }
  return parseConfig(raw, env, options.path ?? 'embedded defaults');
}
