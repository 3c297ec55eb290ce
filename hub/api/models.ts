// JupyterHub-shaped JSON models of users, servers, groups and tokens, filtered by what the
// caller's scopes allow them to read (JupyterHub 5.5's fields; see JUPYTER-PROTOCOL.md §6.2).
import type { Group, Server, Token, User } from '../store/store';
import type { Principal } from '../auth/principal';
import { principalCan } from '../auth/principal';
import { isActive } from '../servers/state';
import { progressApiPath, serverPrefix } from '../servers/names';

export interface ModelOptions {
  baseUrl: string;
  includeStopped: boolean;
}

function pendingOf(s: Server): 'spawn' | 'stop' | null {
  return s.state === 'pending' ? 'spawn' : s.state === 'stopping' ? 'stop' : null;
}

export function serverModel(s: Server, p: Principal, opts: ModelOptions): Record<string, unknown> {
  const stopped = !isActive(s.state);
  const model: Record<string, unknown> = {
    name: s.name,
    full_name: `${s.user}/${s.name}`,
    last_activity: s.lastActivity,
    started: stopped ? null : s.started,
    pending: pendingOf(s),
    ready: s.state === 'running',
    stopped,
    url: serverPrefix(opts.baseUrl, s.user, s.name),
    user_options: s.userOptions,
    progress_url: progressApiPath(opts.baseUrl, s.user, s.name),
    full_url: null,
    full_progress_url: null,
    image: s.image,
    stop_reason: s.stopReason,
  };
  if (principalCan(p, ['admin:server_state'], { user: s.user, server: `${s.user}/${s.name}` }) === 'yes') {
    model.state = s.spawnerState ?? {};
  }
  return model;
}

/** `servers` must be this user's servers. */
export function userModel(u: User, servers: readonly Server[], p: Principal, opts: ModelOptions): Record<string, unknown> {
  const res = { user: u.name, userGroups: u.groups };
  const can = (scope: string) => principalCan(p, [scope], res) === 'yes';
  const model: Record<string, unknown> = { kind: 'user', name: u.name };
  if (can('read:users:name') || can('read:users')) model.admin = u.admin;
  if (can('read:users')) {
    const def = servers.find((s) => s.name === '');
    model.roles = u.admin ? ['admin', 'user'] : ['user'];
    model.created = u.created;
    model.server = def && def.state === 'running' ? serverPrefix(opts.baseUrl, u.name, '') : null;
    model.pending = def ? pendingOf(def) : null;
  }
  if (can('admin:auth_state')) model.auth_state = null;
  if (can('read:users:groups')) model.groups = u.groups;
  if (can('read:users:activity')) model.last_activity = u.lastActivity;
  // Servers are filtered one by one, so `read:servers!server=alice/gpu` shows just that one.
  const visible = servers.filter((s) =>
    (opts.includeStopped || isActive(s.state)) &&
    principalCan(p, ['read:servers'], { ...res, server: `${u.name}/${s.name}` }) === 'yes');
  if (can('read:servers') || visible.length > 0) {
    model.servers = Object.fromEntries(visible.map((s) => [s.name, serverModel(s, p, opts)]));
  }
  return model;
}

export function groupModel(g: Group, members: readonly string[]): Record<string, unknown> {
  return { kind: 'group', name: g.name, roles: [], users: [...members].sort(), properties: g.properties };
}

export function tokenModel(t: Token): Record<string, unknown> {
  return {
    id: t.id,
    kind: t.kind === 'oauth' ? 'oauth_token' : 'api_token',
    user: t.user,
    service: t.service,
    roles: [],
    scopes: t.scopes,
    note: t.note,
    created: t.created,
    expires_at: t.expiresAt,
    last_activity: t.lastActivity,
    oauth_client: t.clientId,
    session_id: t.sessionId,
  };
}
