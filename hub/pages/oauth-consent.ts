// OAuth consent page: "<client> would like permission to …" with Authorize (POST + CSRF) and Cancel.
// Pure: data in, HTML out. Cancel is a plain link so a handler can never mistake it for consent.
import { html } from './html';
import { csrfField, hubUrl, PageContext, renderLayout } from './layout';

export interface ConsentScope {
  scope: string;
  description: string;
}

export interface OAuthConsentPageInput {
  ctx: PageContext;
  /** Who asks, e.g. "Server at /user/alice/". */
  clientDescription: string;
  scopes: readonly ConsentScope[];
  actionUrl: string;
  /** Fields the authorize handler needs back (client_id, redirect_uri, state…). */
  hidden: Readonly<Record<string, string>>;
  /** Where Cancel leads; default the home page. */
  cancelUrl?: string;
}

export function renderOAuthConsent(input: OAuthConsentPageInput): string {
  const { ctx } = input;
  const scopes = input.scopes.length === 0
    ? html`<li>identify you by your user name</li>`
    : input.scopes.map((s) => html`<li>${s.description} <code class="scope">${s.scope}</code></li>`);
  const hidden = Object.entries(input.hidden).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const body = html`<section class="card narrow" aria-labelledby="consent-heading">
<h1 id="consent-heading">Authorize access</h1>
<p><strong>${input.clientDescription}</strong> would like permission to:</p>
<ul class="scopes">${scopes}</ul>
<form method="post" action="${input.actionUrl}" class="actions">
${csrfField(ctx)}
${hidden}
<button type="submit" class="button button-primary">Authorize</button>
<a class="button button-quiet" href="${input.cancelUrl ?? hubUrl(ctx, 'home')}">Cancel</a>
</form>
</section>`;
  return renderLayout({ ctx, title: 'Authorize access', body });
}
