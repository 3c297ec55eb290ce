// Pure wording for naming a server on pages: "your server", "your server “gpu”", "bob’s server".
import type { PageContext } from './layout';

export function serverPhrase(ctx: PageContext, owner: string, serverName: string): string {
  const whose = ctx.user !== null && ctx.user.name === owner ? 'your' : `${owner}’s`;
  return serverName === '' ? `${whose} server` : `${whose} server “${serverName}”`;
}

/** The phrase at the start of a sentence: "Your server…", but a user name keeps its case. */
export function atSentenceStart(phrase: string): string {
  return phrase.startsWith('your ') ? `Y${phrase.slice(1)}` : phrase;
}
