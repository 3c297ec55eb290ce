// "Not allowed" page (sent with status 403): the identity provider signed the person in, but
// this hub does not let them in. Pure: data in, HTML out; no session was created.
import { html } from './html';
import { PageContext, renderLayout } from './layout';

export interface NotAllowedPageInput {
  ctx: PageContext;
  /** The hub user name the sign-in would have had, or null when none could be made. */
  name: string | null;
  /** The person's display name from the identity provider, if any. */
  displayName: string | null;
  /** Where they signed in, e.g. 'Example University'. */
  institution: string;
  /** Why, in one sentence. */
  reason: string;
  /** Where to try again (the sign-in page). */
  loginUrl: string;
}

export function renderNotAllowed(input: NotAllowedPageInput): string {
  const { ctx } = input;
  const who = input.displayName && input.name
    ? html`<strong>${input.displayName}</strong> (${input.name})`
    : input.name ? html`<strong>${input.name}</strong>` : input.displayName ? html`<strong>${input.displayName}</strong>` : html`You`;
  const body = html`<section class="card narrow" aria-labelledby="not-allowed-heading">
<p class="muted">Error 403</p>
<h1 id="not-allowed-heading">Not allowed</h1>
<div class="alert alert-error" role="alert"><p>${who} signed in at ${input.institution}, but may not use this hub.</p>
<p>${input.reason}</p></div>
<p>If you think you should have access, ask the hub's administrators to add you, then <a href="${input.loginUrl}">sign in again</a>.</p>
</section>`;
  return renderLayout({ ctx, title: 'Not allowed', body });
}
