// Friendly error page with the status and the error id users quote when asking for help.
// Pure: data in, HTML out. Only the public message appears here, never log detail.
import { html } from './html';
import { hubUrl, PageContext, renderLayout } from './layout';

export interface ErrorPageInput {
  ctx: PageContext;
  status: number;
  title: string;
  message: string;
  /** The HubError id, also in the hub's log; null when there is none. */
  errorId: string | null;
}

export function renderError(input: ErrorPageInput): string {
  const { ctx } = input;
  const errorId = input.errorId
    ? html`<p class="error-id">Error id: <code>${input.errorId}</code>. Quote this id when you ask for help.</p>`
    : null;
  const body = html`<section class="card narrow" aria-labelledby="error-heading">
<p class="muted">Error ${input.status}</p>
<h1 id="error-heading">${input.title}</h1>
<p>${input.message}</p>
${errorId}
<p><a href="${hubUrl(ctx, 'home')}">Back to home</a></p>
</section>`;
  return renderLayout({ ctx, title: input.title, body });
}
