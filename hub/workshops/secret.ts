// The hub secret that signs workshop links: generated once, kept in the store (ensureSecret),
// so every hub process and restart signs and checks links alike. Read once per store.
import type { Store } from '../store/store';
import { ensureSecret } from '../bootstrap';

const secrets = new WeakMap<Store, Promise<string>>();

export function workshopSecret(store: Store): Promise<string> {
  let secret = secrets.get(store);
  if (!secret) {
    secret = ensureSecret(store, 'workshop-link-secret');
    secrets.set(store, secret);
    secret.catch(() => secrets.delete(store));
  }
  return secret;
}
