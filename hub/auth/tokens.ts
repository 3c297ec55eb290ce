// API tokens: issue (random secret, stored only as its sha256), look up, expire, revoke.
import { createHash, randomBytes } from 'node:crypto';
import type { Store, Token } from '../store/store';
import type { Clock } from '../clock';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

export function newTokenId(): string {
  return `t${randomBytes(8).toString('hex')}`;
}

export interface IssueOptions {
  kind: Token['kind'];
  user: string | null;
  service?: string | null;
  scopes: string[];
  note?: string;
  expiresInSeconds?: number | null;
  clientId?: string | null;
  sessionId?: string | null;
  /** Use this secret instead of a random one (service tokens from config; secrets named before they are stored). */
  secret?: string;
  /** Use this id instead of a new one (a record that names the token is written first). */
  id?: string;
}

export class TokenService {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** Returns the stored model and the secret; the secret is never stored or shown again. */
  async issue(options: IssueOptions): Promise<{ token: Token; secret: string }> {
    const secret = options.secret ?? newSecret();
    const now = this.clock.now();
    const token: Token = {
      id: options.id ?? newTokenId(),
      hash: hashToken(secret),
      kind: options.kind,
      user: options.user,
      service: options.service ?? null,
      scopes: options.scopes,
      note: options.note ?? '',
      created: new Date(now).toISOString(),
      expiresAt: options.expiresInSeconds ? new Date(now + options.expiresInSeconds * 1000).toISOString() : null,
      lastActivity: null,
      clientId: options.clientId ?? null,
      sessionId: options.sessionId ?? null,
    };
    const ttl = options.expiresInSeconds ? { ttlSeconds: options.expiresInSeconds } : undefined;
    await this.store.tokens.put(token.hash, token, ttl);
    return { token, secret };
  }

  /** The live token for a secret, or undefined (unknown, revoked or expired). */
  async lookup(secret: string): Promise<Token | undefined> {
    if (!secret || secret.length > 256) return undefined;
    const token = await this.store.tokens.get(hashToken(secret));
    if (!token) return undefined;
    if (token.expiresAt && Date.parse(token.expiresAt) <= this.clock.now()) return undefined;
    return token;
  }

  async listFor(user: string): Promise<Token[]> {
    return (await this.store.tokens.list()).filter((t) => t.user === user);
  }

  async findById(id: string): Promise<Token | undefined> {
    return (await this.store.tokens.list()).find((t) => t.id === id);
  }

  async revoke(token: Token): Promise<void> {
    await this.store.tokens.delete(token.hash);
  }

  /** Revoke every token matching the predicate; returns how many. */
  async revokeWhere(pred: (t: Token) => boolean): Promise<number> {
    const doomed = (await this.store.tokens.list()).filter(pred);
    await Promise.all(doomed.map((t) => this.store.tokens.delete(t.hash)));
    return doomed.length;
  }
}

/** `Authorization: token X` or `bearer X` (case-insensitive), as JupyterHub accepts. */
export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\s*(token|bearer)\s+(\S+)\s*$/i.exec(header);
  return m ? (m[2] ?? null) : null;
}
