// Every page, rendered with a hostile context: one document, escaped, no inline code, CSRF on POSTs.
import { renderError } from '../../../../hub/pages/error';
import { renderHome } from '../../../../hub/pages/home';
import type { PageContext } from '../../../../hub/pages/layout';
import { renderLogin } from '../../../../hub/pages/login';
import { renderNotRunning } from '../../../../hub/pages/not-running';
import { renderOAuthConsent } from '../../../../hub/pages/oauth-consent';
import { renderSpawn } from '../../../../hub/pages/spawn';
import { renderSpawnPending } from '../../../../hub/pages/spawn-pending';
import { ctxFor, EVIL, expectEvilEscaped, expectNoInlineCode, formsIn } from './fixtures';

const now = new Date('2024-05-01T12:00:00Z');

const pages: Array<[string, (ctx: PageContext) => string]> = [
  ['login', (ctx) => renderLogin({ ctx, next: '/', openSignup: true, loginUrl: '/hub/login' })],
  ['home', (ctx) => renderHome({
    ctx, namedServersAllowed: true, now, servers: [{
      name: '', state: 'running', url: '/user/a/', started: null, lastActivity: null, stopReason: null,
      progressPageUrl: '/p', stopUrl: '/stop', startUrl: '/start',
    }],
  })],
  ['spawn', (ctx) => renderSpawn({ ctx, owner: 'a', serverName: '', actionUrl: '/start' })],
  ['spawn-pending', (ctx) => renderSpawnPending({ ctx, owner: 'a', serverName: '', progressUrl: '/e', serverUrl: '/user/a/', homeUrl: '/' })],
  ['not-running', (ctx) => renderNotRunning({ ctx, owner: 'a', serverName: '', spawnUrl: '/start', stopReason: null, isOwner: true })],
  ['error', (ctx) => renderError({ ctx, status: 500, title: 'Oops', message: 'm', errorId: 'id' })],
  ['oauth-consent', (ctx) => renderOAuthConsent({ ctx, clientDescription: 'c', scopes: [], actionUrl: '/auth', hidden: {} })],
];

describe.each(pages)('%s page', (_name, render) => {
  it('is one complete document with a main landmark and the stylesheet', () => {
    const page = render(ctxFor({ name: 'a', admin: true }, { adminPageEnabled: true }));
    expect(page.match(/<!doctype html>/g)).toHaveLength(1);
    expect(page.match(/<main\b/g)).toHaveLength(1);
    expect(page).toMatch(/<title>[^<]+ — sciencehub<\/title>/);
    expect(page).toContain('href="/hub/static/hub.css"');
    expectNoInlineCode(page);
  });

  it('escapes the banner, user name and CSRF token from the context', () => {
    expectEvilEscaped(render(ctxFor({ name: EVIL, admin: true }, { banner: EVIL, csrfToken: EVIL })));
  });

  it('puts the CSRF token in every POST form', () => {
    const page = render(ctxFor({ name: 'a', admin: false }, { csrfToken: 'csrf-xyz' }));
    const posts = formsIn(page).filter((f) => f.method === 'post');
    expect(posts.length).toBeGreaterThan(0);
    for (const form of posts) expect(form.body).toContain('<input type="hidden" name="_csrf" value="csrf-xyz">');
  });

  it('renders for a signed-out visitor with no CSRF token yet', () => {
    const page = render(ctxFor(null, { csrfToken: null }));
    expect(page).not.toContain('hub/logout');
    expectNoInlineCode(page);
  });
});
