// Sign-in page: username/password form (field names as JupyterHub's) posting to the login URL, or
// for institutional sign-on a "Sign in with <institution>" button; and the signed-out page.
// Pure: data in, HTML out. The handler decides what the credentials mean.
import { html } from './html';
import { csrfField, PageContext, renderLayout } from './layout';

export interface LoginPageInput {
  ctx: PageContext;
  /** Where to go after signing in; echoed back in a hidden field. */
  next: string;
  error?: string | null;
  /** Pre-fills the name after a failed attempt. */
  username?: string | null;
  /** Any name signs in (dev/trial sign-in); the password is then optional. */
  openSignup: boolean;
  loginUrl: string;
  /** Institutional sign-on: a button that starts it (carrying `next`) instead of the form. */
  sso?: { institution: string; startUrl: string } | null;
  /** A neutral notice above the form, e.g. that the visitor signed out. */
  notice?: string | null;
}

export function renderLogin(input: LoginPageInput): string {
  const { ctx } = input;
  const error = input.error
    ? html`<div class="alert alert-error" role="alert" id="login-error">${input.error}</div>`
    : null;
  const notice = input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : null;
  if (input.sso) {
    const sso = html`<section class="card narrow" aria-labelledby="login-heading">
<h1 id="login-heading">Sign in</h1>
${error}
${notice}
<p>Use your account at ${input.sso.institution}.</p>
<div class="actions"><a class="button button-primary button-large" id="sso-sign-in" href="${input.sso.startUrl}">Sign in with ${input.sso.institution}</a></div>
</section>`;
    return renderLayout({ ctx, title: 'Sign in', body: sso });
  }
  const note = input.openSignup
    ? html`<p class="note" id="login-note">Any name signs you in; this trial hub keeps no passwords.</p>`
    : null;
  const describedBy = [input.error ? 'login-error' : '', input.openSignup ? 'login-note' : '']
    .filter((id) => id !== '')
    .join(' ');
  const body = html`<section class="card narrow" aria-labelledby="login-heading">
<h1 id="login-heading">Sign in</h1>
${error}
${notice}
${note}
<form method="post" action="${input.loginUrl}" class="stack"${describedBy ? html` aria-describedby="${describedBy}"` : null}>
${csrfField(ctx)}
<input type="hidden" name="next" value="${input.next}">
<div class="field">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${input.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
</div>
<div class="field">
<label for="password">Password${input.openSignup ? html` <span class="muted">(optional)</span>` : null}</label>
<input id="password" name="password" type="password" autocomplete="current-password"${input.openSignup ? null : html` required`}>
</div>
<button type="submit" class="button button-primary">Sign in</button>
</form>
</section>`;
  return renderLayout({ ctx, title: 'Sign in', body });
}

export interface SignedOutPageInput {
  ctx: PageContext;
  /** Where the sign-out continues at the identity provider (single logout), or null. */
  idpLogoutUrl: string | null;
  institution: string | null;
  loginUrl: string;
}

/**
 * After signing out. With single logout, the browser moves on to the identity provider by a
 * refresh (a redirect after the sign-out form would break the page's form-action policy).
 */
export function renderSignedOut(input: SignedOutPageInput): string {
  const { ctx } = input;
  const onward = input.idpLogoutUrl
    ? html`<meta http-equiv="refresh" content="0; url=${input.idpLogoutUrl}">
<p>Signing you out at ${input.institution ?? 'your identity provider'} too…</p>
<div class="actions"><a class="button button-primary" id="idp-sign-out" href="${input.idpLogoutUrl}">Continue signing out at ${input.institution ?? 'your identity provider'}</a></div>`
    : html`<p><a href="${input.loginUrl}">Sign in again</a></p>`;
  const body = html`<section class="card narrow" aria-labelledby="signed-out-heading">
<h1 id="signed-out-heading">Signed out</h1>
<p>You are signed out of this hub in every browser.</p>
${onward}
</section>`;
  return renderLayout({ ctx, title: 'Signed out', body });
}
