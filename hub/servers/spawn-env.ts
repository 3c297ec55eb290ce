// Pure builder of what a single-user server needs from the hub: its environment (see
// JUPYTER-PROTOCOL.md §1), its OAuth client and the scopes of its own API token.
import { escapePathSegment, oauthClientId, serverPrefix } from './names';
import type { Resources } from '../../spawner/types';

export interface SpawnEnvInput {
  user: string;
  serverName: string;
  baseUrl: string;
  /** The hub API as the server reaches it: http://127.0.0.1:8081/hub/api (no trailing slash). */
  hubApiUrl: string;
  apiToken: string;
  resources: Resources;
  /** JUPYTERHUB_HOST: '' for same-origin deployments. */
  publicHost?: string;
  defaultUrl?: string | null;
}

export function accessScopes(user: string, serverName: string): string[] {
  return [`access:servers!server=${user}/${serverName}`, `access:servers!user=${user}`];
}

/** Scopes of the server's own JUPYTERHUB_API_TOKEN (JupyterHub 4+'s 'server' role, concrete). */
export function serverTokenScopes(user: string, serverName: string): string[] {
  return [
    `access:servers!server=${user}/${serverName}`,
    `users:activity!user=${user}`,
    `read:users:name!user=${user}`,
    `read:users:groups!user=${user}`,
    `read:users:activity!user=${user}`,
  ];
}

export function oauthCallbackUrl(baseUrl: string, user: string, serverName: string): string {
  return `${serverPrefix(baseUrl, user, serverName)}oauth_callback`;
}

export function buildSpawnEnv(input: SpawnEnvInput): Record<string, string> {
  const prefix = serverPrefix(input.baseUrl, input.user, input.serverName);
  const scopes = JSON.stringify(accessScopes(input.user, input.serverName));
  const env: Record<string, string> = {
    JUPYTERHUB_API_TOKEN: input.apiToken,
    JPY_API_TOKEN: input.apiToken,
    JUPYTERHUB_CLIENT_ID: oauthClientId(input.user, input.serverName),
    JUPYTERHUB_API_URL: input.hubApiUrl,
    JUPYTERHUB_SERVICE_PREFIX: prefix,
    JUPYTERHUB_OAUTH_ACCESS_SCOPES: scopes,
    JUPYTERHUB_OAUTH_SCOPES: scopes,
    JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: '[]',
    JUPYTERHUB_USER: input.user,
    JUPYTERHUB_SERVER_NAME: input.serverName,
    JUPYTERHUB_ACTIVITY_URL: `${input.hubApiUrl}/users/${escapePathSegment(input.user)}/activity`,
    JUPYTERHUB_OAUTH_CALLBACK_URL: oauthCallbackUrl(input.baseUrl, input.user, input.serverName),
    JUPYTERHUB_BASE_URL: input.baseUrl,
    JUPYTERHUB_HOST: input.publicHost ?? '',
    JUPYTERHUB_PUBLIC_URL: '',
    JUPYTERHUB_PUBLIC_HUB_URL: '',
  };
  if (input.defaultUrl) env.JUPYTERHUB_DEFAULT_URL = input.defaultUrl;
  const r = input.resources;
  if (r.memLimit !== null) env.MEM_LIMIT = String(r.memLimit);
  if (r.memGuarantee !== null) env.MEM_GUARANTEE = String(r.memGuarantee);
  if (r.cpuLimit !== null) env.CPU_LIMIT = String(r.cpuLimit);
  if (r.cpuGuarantee !== null) env.CPU_GUARANTEE = String(r.cpuGuarantee);
  return env;
}
