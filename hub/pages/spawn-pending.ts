// Spawn progress page: progress bar, live status line and message log, driven by static/progress.js
// through data-* attributes (no inline script: CSP is script-src 'self'). Pure: data in, HTML out.
import { html } from './html';
import { PageContext, renderLayout } from './layout';
import { atSentenceStart, serverPhrase } from './server-phrase';

export interface SpawnPendingPageInput {
  ctx: PageContext;
  owner: string;
  /** '' for the default server. */
  serverName: string;
  /** Server-sent events endpoint, including any query it needs. */
  progressUrl: string;
  /** Where to go when the server is ready and the event names no URL. */
  serverUrl: string;
  homeUrl: string;
}

export function renderSpawnPending(input: SpawnPendingPageInput): string {
  const { ctx } = input;
  const phrase = serverPhrase(ctx, input.owner, input.serverName);
  const body = html`<section class="card" aria-labelledby="progress-heading" id="spawn-progress"
 data-progress-url="${input.progressUrl}" data-server-url="${input.serverUrl}" data-home-url="${input.homeUrl}">
<h1 id="progress-heading">Starting ${phrase}</h1>
<div class="field">
<label for="progress-bar">Start-up progress</label>
<progress id="progress-bar" class="progress" max="100" value="0">0%</progress>
</div>
<p id="progress-status" class="status" role="status" aria-live="polite">${atSentenceStart(phrase)} is starting…</p>
<div id="progress-error" class="alert alert-error" role="alert" hidden>
<p id="progress-error-message"></p>
<p><a href="${input.homeUrl}">Back to home</a></p>
</div>
<p id="progress-ready" class="notice" hidden>Ready: <a id="progress-ready-link" href="${input.serverUrl}">open ${phrase}</a>.</p>
<noscript><p class="notice">This page follows start-up live only with JavaScript.
<a href="">Reload this page</a> to check again, or <a href="${input.serverUrl}">try opening ${phrase}</a>.</p></noscript>
<details class="log" open>
<summary>Start-up messages</summary>
<ol id="progress-log" class="progress-log"></ol>
</details>
</section>`;
  return renderLayout({ ctx, title: `Starting ${phrase}`, body, scripts: ['progress.js'] });
}
