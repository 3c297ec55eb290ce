// URL forms of user and server names, as JupyterHub builds them (so cookies and paths match).

/** Python's urllib.parse.quote with the given safe characters (letters, digits, _.-~ always safe). */
export function pyQuote(value: string, safe = '/'): string {
  let out = '';
  for (const ch of value) {
    if (/[A-Za-z0-9_.\-~]/.test(ch) || safe.includes(ch)) out += ch;
    else out += Array.from(Buffer.from(ch, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** Path segment escaping that keeps '@' and '~' (JupyterHub's url_escape_path). */
export function escapePathSegment(value: string): string {
  return pyQuote(value, '@~');
}

/** '/user/alice/' or '/user/alice/gpu/' below the deployment's base URL. */
export function serverPrefix(baseUrl: string, user: string, serverName: string): string {
  const userPart = `${baseUrl}user/${escapePathSegment(user)}/`;
  return serverName ? `${userPart}${escapePathSegment(serverName)}/` : userPart;
}

/** The spawn-progress stream of a server: {base}hub/api/users/{user}/server[s/{name}]/progress. */
export function progressApiPath(baseUrl: string, user: string, serverName: string): string {
  const server = serverName ? `servers/${escapePathSegment(serverName)}` : 'server';
  return `${baseUrl}hub/api/users/${escapePathSegment(user)}/${server}/progress`;
}

/** The proxy route key: the prefix without its trailing slash. */
export function routeKey(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

export function oauthClientId(user: string, serverName: string): string {
  const base = `jupyterhub-user-${pyQuote(user)}`;
  return serverName ? `${base}-${pyQuote(serverName)}` : base;
}

/** User names: printable, no '/', no surrounding space, at most 255 characters. */
export const USER_NAME_PATTERN = /^(?!\s)(?!\.{1,2}$)[^/\\?#%\p{Cc}]{1,255}(?<!\s)$/u;
/** Server names: like a DNS label, so every spawner can use them. */
export const SERVER_NAME_PATTERN = /^[a-z0-9]([a-z0-9_-]{0,62})$/;
