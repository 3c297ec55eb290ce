// Collision-proof file-system names for users and servers (pure).
// A name is kept when already safe; otherwise it becomes slug--hash, a shape no safe name has.
import { createHash } from 'node:crypto';

const SAFE = /^[a-z0-9](?:[a-z0-9.]|-(?!-))*$/;
const MAX_SAFE = 48;

/** File-name-safe form of a user or server name: [a-z0-9.-], no '--' unless hashed. */
export function safeName(name: string): string {
  if (name.length <= MAX_SAFE && SAFE.test(name) && !name.endsWith('-')) return name;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 10);
  return `${slug || 'x'}--${hash}`;
}

/** One key per (user, server); '_' never occurs in a safe name, so the split is unambiguous. */
export function serverKey(user: string, serverName: string): string {
  return `${safeName(user)}__${serverName === '' ? '' : safeName(serverName)}`;
}
