// The tokens of a server's OAuth client (its own API token, then each OAuth token issued through
// it), remembered by hash in the client record so that stopping the server revokes them without
// scanning every token in the store.
import type { Store } from '../store/store';

/** Past this many remembered hashes, those of tokens already gone (expired or revoked) are dropped. */
export const PRUNE_AT = 64;

/**
 * Adds the hash of a token about to be issued to its client's list; call it before storing the
 * token. False when the client is gone (its server stopped): issue nothing then. Clients written
 * before the list existed are left alone (true: revoking them scans).
 */
export async function rememberClientToken(store: Pick<Store, 'oauthClients' | 'tokens'>, clientId: string, hash: string): Promise<boolean> {
  const client = await store.oauthClients.get(clientId);
  if (client === undefined) return false;
  if (client.tokenHashes === undefined) return true;
  let gone = new Set<string>();
  if (client.tokenHashes.length >= PRUNE_AT) {
    const checks = await Promise.all(client.tokenHashes.map(async (h) => [h, await store.tokens.get(h)] as const));
    gone = new Set(checks.filter(([, t]) => t === undefined).map(([h]) => h));
  }
  const updated = await store.oauthClients.update(clientId, (c) =>
    c.tokenHashes === undefined ? undefined : { ...c, tokenHashes: [...c.tokenHashes.filter((h) => !gone.has(h)), hash] });
  return updated !== undefined;
}
