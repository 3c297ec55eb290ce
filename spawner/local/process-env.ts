// Pure builder of a single-user process's environment. It starts from a minimal safe base and
// must never copy the hub's whole environment: that holds the hub's own secrets.
import type { Resources } from '../types';

/** Host variables a server may inherit; everything else in the hub's env stays behind. */
export const INHERITED_VARIABLES = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'SHELL', 'TMPDIR'] as const;

const FALLBACKS: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  SHELL: '/bin/sh',
};

export interface ProcessEnvInput {
  /** The hub process's environment; only INHERITED_VARIABLES are read from it. */
  hostEnv: Readonly<Record<string, string | undefined>>;
  /** OS account the process runs as (the hub's own account for this spawner). */
  osUser: string;
  /** The server's working directory, which also becomes HOME. */
  home: string;
  resources: Resources;
  /** The spawner config's extra variables. */
  configEnv: Readonly<Record<string, string>>;
  /** The hub-built JUPYTERHUB_* variables from the SpawnRequest. */
  requestEnv: Readonly<Record<string, string>>;
  /** http://<ip>:<port><prefix>: where the server must listen. */
  serviceUrl: string;
}

/** Layers, later wins: safe base < resource figures < config env < request env < service URL. */
export function buildProcessEnv(input: ProcessEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = input.hostEnv[name] ?? FALLBACKS[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  env.HOME = input.home;
  env.USER = input.osUser;
  env.LOGNAME = input.osUser;
  Object.assign(env, resourceVariables(input.resources));
  Object.assign(env, input.configEnv);
  Object.assign(env, input.requestEnv);
  env.JUPYTERHUB_SERVICE_URL = input.serviceUrl;
  return env;
}

/** Informational figures as JupyterHub spawners publish them (bytes and cores). */
export function resourceVariables(resources: Resources): Record<string, string> {
  const out: Record<string, string> = {};
  if (resources.memLimit !== null) out.MEM_LIMIT = String(resources.memLimit);
  if (resources.memGuarantee !== null) out.MEM_GUARANTEE = String(resources.memGuarantee);
  if (resources.cpuLimit !== null) out.CPU_LIMIT = String(resources.cpuLimit);
  if (resources.cpuGuarantee !== null) out.CPU_GUARANTEE = String(resources.cpuGuarantee);
  return out;
}

/** Bind URL for the server; IPv6 literals need brackets. */
export function serviceUrl(ip: string, port: number, prefix: string): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${port}${prefix}`;
}
