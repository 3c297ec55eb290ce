// "Server not running" page (sent with status 424): Start button for the owner, a message for others.
// Pure: data in, HTML out. Starting is a POST with the CSRF field.
import { html } from './html';
import { hubUrl, PageContext, postButton, renderLayout } from './layout';
import { atSentenceStart, serverPhrase } from './server-phrase';

export interface NotRunningPageInput {
  ctx: PageContext;
  owner: string;
  /** '' for the default server. */
  serverName: string;
  spawnUrl: string;
  stopReason: string | null;
  /** True when the signed-in user owns the server and may start it. */
  isOwner: boolean;
}

export function renderNotRunning(input: NotRunningPageInput): string {
  const { ctx } = input;
  const phrase = serverPhrase(ctx, input.owner, input.serverName);
  const reason = input.stopReason
    ? html`<p class="stop-reason">It stopped: ${input.stopReason}</p>`
    : null;
  const next = input.isOwner
    ? html`<p>Start it again to carry on where you left off.</p>
<div class="actions">${postButton(ctx, input.spawnUrl, `Start ${phrase}`, { className: 'button button-primary button-large' })}</div>`
    : html`<p>Only ${input.owner} can start it. Ask them to start it, then try this link again.</p>`;
  const body = html`<section class="card narrow" aria-labelledby="not-running-heading">
<h1 id="not-running-heading">Server not running</h1>
<p>${atSentenceStart(phrase)} is not running.</p>
${reason}
${next}
<p><a href="${hubUrl(ctx, 'home')}">Back to home</a></p>
</section>`;
  return renderLayout({ ctx, title: 'Server not running', body });
}
