// The one scopes table (JupyterHub's scope names) and the pure functions that expand and check
// scopes. A scope may carry a filter: `read:users!user=alice`, `access:servers!server=alice/`,
// `servers!group=staff`. Checks answer 'yes', 'no' (403) or 'filtered-miss' (404).

export interface ScopeInfo {
  description: string;
  /** Scopes this one implies. */
  sub?: string[];
}

export const SCOPES: Record<string, ScopeInfo> = {
  self: { description: 'Everything the owner may do with their own resources (meta scope).' },
  inherit: { description: 'All permissions of the token owner (meta scope).' },
  'admin:users': { description: 'Create, rename, delete users and read their state.', sub: ['users', 'delete:users', 'admin:auth_state'] },
  'admin:auth_state': { description: 'Read and write users’ authentication state.' },
  users: { description: 'Read and update users (not create or delete).', sub: ['read:users', 'list:users', 'users:activity'] },
  'delete:users': { description: 'Delete users.' },
  'list:users': { description: 'List users (names only unless read scopes are held).', sub: ['read:users:name'] },
  'read:users': { description: 'Read user models.', sub: ['read:users:name', 'read:users:groups', 'read:users:activity'] },
  'read:users:name': { description: 'Read user names.' },
  'read:users:groups': { description: 'Read users’ group membership.' },
  'read:users:activity': { description: 'Read users’ last activity.' },
  'users:activity': { description: 'Report activity (single-user servers).', sub: ['read:users:activity'] },
  'admin:servers': { description: 'Start, stop and read the state of servers.', sub: ['admin:server_state', 'servers'] },
  'admin:server_state': { description: 'Read the spawner state of servers.' },
  servers: { description: 'Start and stop servers.', sub: ['read:servers', 'delete:servers'] },
  'read:servers': { description: 'Read server models and spawn progress.', sub: ['read:users:name'] },
  'delete:servers': { description: 'Stop and delete servers.' },
  'access:servers': { description: 'Use a single-user server through the browser or its API.' },
  tokens: { description: 'Create, read and revoke API tokens.', sub: ['read:tokens'] },
  'read:tokens': { description: 'Read API token models (never the secrets).' },
  'admin:groups': { description: 'Create and delete groups.', sub: ['groups'] },
  groups: { description: 'Add and remove group members.', sub: ['read:groups', 'list:groups'] },
  'list:groups': { description: 'List groups.', sub: ['read:groups:name'] },
  'read:groups': { description: 'Read group models.', sub: ['read:groups:name'] },
  'read:groups:name': { description: 'Read group names.' },
  'read:hub': { description: 'Read information about the hub.' },
  proxy: { description: 'Read and synchronise the proxy routing table.' },
  shutdown: { description: 'Shut down the hub.' },
  'admin:quotas': { description: 'Set the quotas of users and groups.', sub: ['read:quotas', 'read:usage'] },
  'read:quotas': { description: 'Read the quotas of users and groups (read:users also reads a user’s own).' },
  'read:usage': { description: 'Read users’ usage and budgets, and list everyone’s (read:users also reads a user’s own).' },
  'read:metrics': { description: 'Read the hub’s Prometheus metrics at /hub/metrics.' },
  workshops: {
    description: 'Create, list and revoke workshop links, and read the attendees (members of the workshop’s group) of one’s own workshops.',
  },
};

/** What a user holds through the 'user' role: `self`, i.e. these scopes on their own resources. */
export const SELF_SCOPES = ['read:users', 'users:activity', 'servers', 'access:servers', 'tokens', 'read:groups:name'];
/** What an organiser holds besides `self` (members of an `auth.organiserGroups` group). */
export const ORGANISER_SCOPES = ['workshops'];
/** What an admin holds: every concrete scope, unfiltered. */
export const ADMIN_SCOPES = Object.keys(SCOPES).filter((s) => s !== 'self' && s !== 'inherit');

export interface ScopeOwner {
  name: string;
  admin: boolean;
  /** Member of an organiser group (see auth/roles.ts); absent means no. */
  organiser?: boolean;
}

export function parseScope(scope: string): { base: string; filter: string | null } {
  const bang = scope.indexOf('!');
  return bang === -1 ? { base: scope, filter: null } : { base: scope.slice(0, bang), filter: scope.slice(bang + 1) };
}

/** True if `scope` names a known scope with a well-formed filter. */
export function isValidScope(scope: string): boolean {
  const { base, filter } = parseScope(scope);
  if (!(base in SCOPES)) return false;
  if (filter === null) return true;
  if (base === 'self' || base === 'inherit') return false;
  return /^(user|group)(=[^=!]+)?$/.test(filter) || /^server(=[^=!/]+\/[^=!]*)?$/.test(filter);
}

/** The role scopes of a user, before expansion. */
export function roleScopes(owner: ScopeOwner): string[] {
  if (owner.admin) return [...ADMIN_SCOPES, 'self'];
  return owner.organiser ? ['self', ...ORGANISER_SCOPES] : ['self'];
}

/**
 * Expand meta scopes and sub-scopes, filling owner-relative filters (`!user`, `!server`) with
 * the owner's name. `ownerScopes` resolves `inherit`.
 */
export function expandScopes(scopes: Iterable<string>, owner: ScopeOwner | null, ownerScopes?: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const add = (scope: string): void => {
    const { base } = parseScope(scope);
    let { filter } = parseScope(scope);
    if (base === 'self') {
      if (owner) for (const s of SELF_SCOPES) add(`${s}!user=${owner.name}`);
      return;
    }
    if (base === 'inherit') {
      for (const s of ownerScopes ?? (owner ? roleScopes(owner) : [])) if (parseScope(s).base !== 'inherit') add(s);
      return;
    }
    if (filter === 'user' || filter === 'server') {
      if (!owner) return; // an owner-relative filter means nothing without an owner
      filter = filter === 'user' ? `user=${owner.name}` : `server=${owner.name}/`;
    }
    const full = filter === null ? base : `${base}!${filter}`;
    if (out.has(full)) return;
    out.add(full);
    for (const sub of SCOPES[base]?.sub ?? []) add(filter === null ? sub : `${sub}!${filter}`);
  };
  for (const s of scopes) add(s);
  return out;
}

/** The resource a check is about; omit parts that do not apply. */
export interface Resource {
  user?: string;
  /** 'owner/servername' ('' for the default server). */
  server?: string;
  /** Groups of `user`, resolved by the caller for !group filters. */
  userGroups?: readonly string[];
  group?: string;
}

export type ScopeVerdict = 'yes' | 'no' | 'filtered-miss';

function filterMatches(filter: string, res: Resource): boolean {
  const eq = filter.indexOf('=');
  const kind = filter.slice(0, eq);
  const value = filter.slice(eq + 1);
  switch (kind) {
    case 'user':
      return res.user === value;
    case 'server':
      return res.server === value;
    case 'group':
      return res.group === value || (res.userGroups?.includes(value) ?? false);
    default:
      return false;
  }
}

/** Does an expanded scope set grant `base` on `res`? 'filtered-miss' = held only for other resources. */
export function checkScope(expanded: ReadonlySet<string>, base: string, res: Resource = {}): ScopeVerdict {
  if (expanded.has(base)) return 'yes';
  let heldFiltered = false;
  const prefix = `${base}!`;
  for (const s of expanded) {
    if (!s.startsWith(prefix)) continue;
    heldFiltered = true;
    if (filterMatches(s.slice(prefix.length), res)) return 'yes';
  }
  return heldFiltered ? 'filtered-miss' : 'no';
}

/** Checks several alternatives: the best verdict wins. */
export function checkAnyScope(expanded: ReadonlySet<string>, bases: readonly string[], res: Resource = {}): ScopeVerdict {
  let verdict: ScopeVerdict = 'no';
  for (const b of bases) {
    const v = checkScope(expanded, b, res);
    if (v === 'yes') return 'yes';
    if (v === 'filtered-miss') verdict = v;
  }
  return verdict;
}

/** True if every scope of `requested` is within `held` (for issuing tokens that are subsets). */
export function isSubset(requested: Iterable<string>, held: ReadonlySet<string>, owner: ScopeOwner): boolean {
  for (const s of expandScopes(requested, owner, held)) {
    const { base, filter } = parseScope(s);
    if (held.has(s) || held.has(base)) continue;
    if (filter === null) return false;
    const eq = filter.indexOf('=');
    const res: Resource =
      filter.startsWith('user=') ? { user: filter.slice(eq + 1) }
      : filter.startsWith('server=') ? { user: filter.slice(eq + 1).split('/')[0], server: filter.slice(eq + 1) }
      : { group: filter.slice(eq + 1) };
    if (checkScope(held, base, res) !== 'yes') return false;
  }
  return true;
}
