import { html } from '../../../../hub/pages/html';
import { renderLayout } from '../../../../hub/pages/layout';
import { alice, ctxFor, EVIL, expectEvilEscaped, expectNoInlineCode, postFormsTo } from './fixtures';

const body = html`<p>hello</p>`;

describe('renderLayout', () => {
  it('renders a document with lang, title, stylesheet and main landmark', () => {
    const page = renderLayout({ ctx: alice, title: 'Home', body });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<title>Home — sciencehub</title>');
    expect(page).toContain('<link rel="stylesheet" href="/hub/static/hub.css">');
    expect(page).toMatch(/<main id="main"[^>]*>\s*<p>hello<\/p>\s*<\/main>/);
    expect(page).toContain('<header');
    expect(page).toContain('<nav aria-label="Main">');
    expect(page).toContain('href="#main"');
    expectNoInlineCode(page);
  });

  it('has a sign-out form posting to hub/logout with the CSRF field', () => {
    const page = renderLayout({ ctx: alice, title: 'Home', body });
    const forms = postFormsTo(page, '/hub/logout');
    expect(forms).toHaveLength(1);
    expect(forms[0]?.body).toContain('<input type="hidden" name="_csrf" value="tok-123">');
  });

  it('honours the base URL in links', () => {
    const page = renderLayout({ ctx: ctxFor({ name: 'a', admin: false }, { baseUrl: '/sci/' }), title: 'T', body });
    expect(page).toContain('href="/sci/hub/static/hub.css"');
    expect(page).toContain('href="/sci/hub/home"');
    expect(postFormsTo(page, '/sci/hub/logout')).toHaveLength(1);
  });

  it('shows neither nav nor sign-out when nobody is signed in', () => {
    const page = renderLayout({ ctx: ctxFor(null), title: 'Sign in', body });
    expect(page).not.toContain('<nav');
    expect(page).not.toContain('hub/logout');
  });

  it('links the admin page only for admins, and only when it is enabled', () => {
    const admin = { name: 'root', admin: true };
    const withAdmin = (ctx: Parameters<typeof ctxFor>[0], enabled: boolean) =>
      renderLayout({ ctx: ctxFor(ctx, { adminPageEnabled: enabled }), title: 'T', body });
    expect(withAdmin(admin, true)).toContain('href="/hub/admin"');
    expect(withAdmin(admin, false)).not.toContain('hub/admin');
    expect(withAdmin({ name: 'bob', admin: false }, true)).not.toContain('hub/admin');
  });

  it('shows the banner, escaped', () => {
    const page = renderLayout({ ctx: ctxFor(alice.user, { banner: 'dev sign-in: not for production' }), title: 'T', body });
    expect(page).toMatch(/class="banner"[^>]*><strong>dev sign-in: not for production<\/strong>/);
    expectEvilEscaped(renderLayout({ ctx: ctxFor(alice.user, { banner: EVIL }), title: 'T', body }));
  });

  it('escapes the title, the user name and the CSRF token', () => {
    const page = renderLayout({ ctx: ctxFor({ name: EVIL, admin: false }, { csrfToken: EVIL }), title: EVIL, body });
    expectEvilEscaped(page);
    expect(page).toContain(`<title>${'&lt;script&gt;'}`);
    expect(page).toContain(`value="${'&lt;script&gt;alert(&quot;x&quot;)'}`);
  });

  it('loads page scripts from the static folder with defer, never inline', () => {
    const page = renderLayout({ ctx: alice, title: 'T', body, scripts: ['progress.js'] });
    expect(page).toContain('<script src="/hub/static/progress.js" defer></script>');
    expectNoInlineCode(page);
  });
});
