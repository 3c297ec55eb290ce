// The HTML shell every hub page renders through: head, banner, header with nav and sign-out, <main>.
// Holds no page logic; pages pass a title and a body fragment. No inline scripts or styles (CSP).
import { html, SafeHtml } from './html';
import { staticUrl, StaticFileName } from './static-files';

export interface PageUser {
  name: string;
  admin: boolean;
}

/** What every page needs from the request; built by the lead's route glue. */
export interface PageContext {
  /** Hub base URL, always ending in '/', e.g. '/'. */
  baseUrl: string;
  user: PageUser | null;
  csrfToken: string | null;
  /** Loud notice shown on every page, e.g. 'dev sign-in: not for production'. */
  banner?: string | null;
  /** Link the admin page in the nav (for admins only) once that page exists. */
  adminPageEnabled?: boolean;
  /** Notices for the signed-in user shown at the top of every page (e.g. budget warnings). */
  notices?: readonly PageNotice[];
}

export interface PageNotice {
  /** 'warning': heads-up (budget at 80 %); 'error': something stops working (budget used up). */
  level: 'warning' | 'error';
  text: string;
  /** Optional link after the text, e.g. to the usage on the home page. */
  link?: { href: string; label: string };
}

export interface LayoutOptions {
  ctx: PageContext;
  /** Page title without the product suffix. */
  title: string;
  body: SafeHtml;
  /** Extra scripts from the static folder, loaded with defer. */
  scripts?: readonly StaticFileName[];
}

export const PRODUCT_NAME = 'sciencehub';

/** URL of a hub page, e.g. hubUrl(ctx, 'home') → '/hub/home'. */
export function hubUrl(ctx: PageContext, path: string): string {
  return `${ctx.baseUrl}hub/${path}`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}">`;
}

/** A form holding one button that POSTs to `action` with the CSRF field. */
export function postButton(
  ctx: PageContext,
  action: string,
  label: string,
  opts: { className?: string; hidden?: Record<string, string> } = {},
): SafeHtml {
  const hidden = Object.entries(opts.hidden ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return html`<form class="inline-form" method="post" action="${action}">${csrfField(ctx)}${hidden}<button type="submit" class="${opts.className ?? 'button'}">${label}</button></form>`;
}

function renderNav(ctx: PageContext): SafeHtml {
  const user = ctx.user;
  if (user === null) return html``;
  const adminLink = user.admin && ctx.adminPageEnabled === true
    ? html`<li><a href="${hubUrl(ctx, 'admin')}">Admin</a></li>`
    : null;
  return html`<nav aria-label="Main"><ul class="nav-list"><li><a href="${hubUrl(ctx, 'home')}">Home</a></li>${adminLink}</ul></nav>
<div class="account"><span class="account-name">Signed in as <strong>${user.name}</strong></span>
<form class="inline-form" method="post" action="${hubUrl(ctx, 'logout')}">${csrfField(ctx)}<button type="submit" class="button button-quiet">Sign out</button></form></div>`;
}

function renderNotices(ctx: PageContext): SafeHtml | null {
  const notices = ctx.notices ?? [];
  if (notices.length === 0) return null;
  return html`<div class="notices">${notices.map((n) => html`<div class="alert ${n.level === 'error' ? 'alert-error' : 'notice alert-warning'}" role="${n.level === 'error' ? 'alert' : 'status'}" data-notice="${n.level}"><p>${n.text}${n.link ? html` <a href="${n.link.href}">${n.link.label}</a>` : null}</p></div>`)}</div>`;
}

/** Renders a complete HTML document. */
export function renderLayout(opts: LayoutOptions): string {
  const { ctx } = opts;
  const banner = ctx.banner
    ? html`<div class="banner" role="note"><strong>${ctx.banner}</strong></div>`
    : null;
  const scripts = (opts.scripts ?? []).map(
    (file) => html`<script src="${staticUrl(ctx.baseUrl, file)}" defer></script>`,
  );
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} — ${PRODUCT_NAME}</title>
<link rel="stylesheet" href="${staticUrl(ctx.baseUrl, 'hub.css')}">
${scripts}
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
${banner}
<header class="site-header">
<a class="brand" href="${hubUrl(ctx, 'home')}">${PRODUCT_NAME}</a>
${renderNav(ctx)}
</header>
<main id="main" tabindex="-1">
${renderNotices(ctx)}
${opts.body}
</main>
</body>
</html>
`;
  return doc.value;
}
