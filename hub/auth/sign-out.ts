// Signing out ends the user's sign-in everywhere: every hub session of that user (in every hub
// process and browser) is destroyed and the OAuth tokens their single-user servers hold are revoked.
import type { Logger } from 'pino';
import type { CollectionSessionStore } from '../store/session-store';
import type { TokenService } from './tokens';
import type { EventRecorder } from '../events';

export interface SignOutDeps {
  sessions: CollectionSessionStore;
  tokens: TokenService;
  record: EventRecorder;
  logger: Logger;
}

export async function signOutEverywhere(deps: SignOutDeps, user: string, why: string): Promise<{ sessions: number; tokens: number }> {
  const ended = await deps.sessions.destroyUserSessions(user);
  const revoked = await deps.tokens.revokeWhere((t) => t.kind === 'oauth' && t.user === user);
  deps.logger.info({ user, sessions: ended.length, tokens: revoked }, 'signed out everywhere');
  await deps.record('logout', user, null, `signed out everywhere (${why})`, { sessions: ended.length, oauthTokens: revoked });
  return { sessions: ended.length, tokens: revoked };
}
