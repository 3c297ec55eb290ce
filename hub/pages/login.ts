// Sign-in page: username/password form (field names as JupyterHub's) posting to the login URL.
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
}

export function renderLogin(input: LoginPageInput): string {
  const { ctx } = input;
  const error = input.error
    ? html`<div class="alert alert-error" role="alert" id="login-error">${input.error}</div>`
    : null;
  const note = input.openSignup
    ? html`<p class="note" id="login-note">Any name signs you in; this trial hub keeps no passwords.</p>`
    : null;
  const describedBy = [input.error ? 'login-error' : '', input.openSignup ? 'login-note' : '']
    .filter((id) => id !== '')
    .join(' ');
  const body = html`<section class="card narrow" aria-labelledby="login-heading">
<h1 id="login-heading">Sign in</h1>
${error}
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
