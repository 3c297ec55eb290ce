// The attendee's workshop page: the workshop's name, what it starts, and one Start button
// (POST + CSRF), or why the link cannot be used. Pure: data in, HTML out.
import { html } from './html';
import { csrfField, hubUrl, PageContext, renderLayout } from './layout';

export interface WorkshopJoinPageInput {
  ctx: PageContext;
  /** null when the link itself is bad (the name is unknown then). */
  name: string | null;
  organiser?: string;
  /** "Astronomy, version 2025.01.0", "Small (4 GiB, 1 CPU)". */
  imageLabel?: string;
  sizeLabel?: string;
  expiresAt?: string;
  /** POST target; null when the page only explains a refusal. */
  actionUrl: string | null;
  error?: string | null;
}

export function renderWorkshopJoin(input: WorkshopJoinPageInput): string {
  const { ctx } = input;
  const title = input.name ?? 'Workshop link';
  const error = input.error ? html`<div class="alert alert-error" role="alert" id="workshop-error">${input.error}</div>` : null;
  const details = input.imageLabel
    ? html`<dl class="workshop-details"><dt>Software</dt><dd>${input.imageLabel}</dd><dt>Size</dt><dd>${input.sizeLabel ?? ''}</dd>
<dt>Organiser</dt><dd>${input.organiser ?? ''}</dd><dt>Link valid until</dt><dd>${input.expiresAt ?? ''}</dd></dl>`
    : null;
  const form = input.actionUrl
    ? html`<form method="post" action="${input.actionUrl}" class="stack">${csrfField(ctx)}
<p>Press Start to join the workshop and start your server with this software; this can take a minute.</p>
<button type="submit" class="button button-primary button-large">Start</button></form>`
    : html`<p><a href="${hubUrl(ctx, 'home')}">Back to home</a></p>`;
  const body = html`<section class="card narrow" aria-labelledby="workshop-heading">
<p class="muted">Workshop</p>
<h1 id="workshop-heading">${title}</h1>
${error}
${details}
${form}
</section>`;
  return renderLayout({ ctx, title, body });
}
