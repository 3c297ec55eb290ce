// Spawn confirmation page: "Start my server" form (POST + CSRF), with a fieldset slot for options.
// Pure: data in, HTML out. Later image/size choices are passed in as `options`, already rendered.
import { html, SafeHtml } from './html';
import { csrfField, PageContext, renderLayout } from './layout';
import { atSentenceStart, serverPhrase } from './server-phrase';

export interface SpawnPageInput {
  ctx: PageContext;
  /** Name of the user whose server starts (an admin may start someone else's). */
  owner: string;
  /** '' for the default server. */
  serverName: string;
  actionUrl: string;
  error?: string | null;
  /** Form controls for server options (image, size…), rendered inside a fieldset. */
  options?: SafeHtml | null;
  /** Legend of the options fieldset. */
  optionsLegend?: string;
}

export function renderSpawn(input: SpawnPageInput): string {
  const { ctx } = input;
  const phrase = serverPhrase(ctx, input.owner, input.serverName);
  const error = input.error
    ? html`<div class="alert alert-error" role="alert">${input.error}</div>`
    : null;
  const options = input.options
    ? html`<fieldset class="options"><legend>${input.optionsLegend ?? 'Server options'}</legend>${input.options}</fieldset>`
    : null;
  const body = html`<section class="card narrow" aria-labelledby="spawn-heading">
<h1 id="spawn-heading">Start ${phrase}</h1>
${error}
<form method="post" action="${input.actionUrl}" class="stack">
${csrfField(ctx)}
${options}
<p>${atSentenceStart(phrase)} will start now; this can take a minute or two.</p>
<button type="submit" class="button button-primary button-large">Start ${phrase}</button>
</form>
</section>`;
  return renderLayout({ ctx, title: `Start ${phrase}`, body });
}
