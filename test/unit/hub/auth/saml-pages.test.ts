// The sign-in pages of institutional sign-on: the "Sign in with <institution>" button keeping
// `next`, the "Not allowed" page, and the signed-out page continuing to the IdP; all escaped.
import { renderLogin, renderNotAllowed, renderSignedOut } from '../../../../hub/pages';
import { ctxFor, EVIL, expectEvilEscaped, expectNoInlineCode, formsIn } from '../pages/fixtures';

const IMG = '<img src=x onerror=alert(1)>';

describe('sign-in page with institutional sign-on', () => {
  const page = renderLogin({
    ctx: ctxFor(null), next: '/hub/home', openSignup: false, loginUrl: '/hub/login',
    sso: { institution: 'Example University', startUrl: '/hub/saml/login?next=%2Fhub%2Fspawn' },
  });

  it('shows one button to the start URL (with next) and no password form', () => {
    expect(page).toContain('<a class="button button-primary button-large" id="sso-sign-in" href="/hub/saml/login?next=%2Fhub%2Fspawn">Sign in with Example University</a>');
    expect(page).not.toContain('name="password"');
    expect(formsIn(page).filter((f) => f.method === 'post')).toEqual([]);
    expectNoInlineCode(page);
  });

  it('escapes the institution, start URL, error and notice', () => {
    const evil = renderLogin({ ctx: ctxFor(null), next: '/', openSignup: false, loginUrl: '/hub/login', error: EVIL, notice: EVIL, sso: { institution: EVIL, startUrl: `/s?x=${EVIL}` } });
    expectEvilEscaped(evil);
    expect(evil).not.toContain(IMG);
  });
});

describe('not-allowed page', () => {
  it('names the person, where they signed in and why, with no session actions', () => {
    const page = renderNotAllowed({ ctx: ctxFor(null), name: 'carol', displayName: 'Carol Outsider', institution: 'Example University', reason: 'carol is not on this hub\'s list of allowed users.', loginUrl: '/hub/login' });
    expect(page).toContain('<h1 id="not-allowed-heading">Not allowed</h1>');
    expect(page).toContain('<strong>Carol Outsider</strong> (carol) signed in at Example University, but may not use this hub.');
    expect(page).toContain('carol is not on this hub&#39;s list of allowed users.');
    expect(page).not.toContain('hub/logout');
    expectNoInlineCode(page);
  });

  it('escapes every attribute the IdP sent', () => {
    const page = renderNotAllowed({ ctx: ctxFor(null), name: IMG, displayName: EVIL, institution: EVIL, reason: EVIL, loginUrl: '/hub/login' });
    expectEvilEscaped(page);
    expect(page).not.toContain(IMG);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('copes without a name', () => {
    expect(renderNotAllowed({ ctx: ctxFor(null), name: null, displayName: null, institution: 'U', reason: 'r', loginUrl: '/l' })).toContain('You signed in at U');
  });
});

describe('signed-out page', () => {
  it('continues to the IdP logout URL by refresh and by a link, escaped', () => {
    const url = 'https://idp.example/slo?SAMLRequest=abc&Signature=x"y';
    const page = renderSignedOut({ ctx: ctxFor(null), idpLogoutUrl: url, institution: 'Example U', loginUrl: '/hub/login' });
    expect(page).toContain('<meta http-equiv="refresh" content="0; url=https://idp.example/slo?SAMLRequest=abc&amp;Signature=x&quot;y">');
    expect(page).toContain('href="https://idp.example/slo?SAMLRequest=abc&amp;Signature=x&quot;y">Continue signing out at Example U</a>');
    expect(page).toContain('You are signed out of this hub in every browser.');
    expectNoInlineCode(page);
  });

  it('offers to sign in again without single logout', () => {
    const page = renderSignedOut({ ctx: ctxFor(null), idpLogoutUrl: null, institution: null, loginUrl: '/hub/login' });
    expect(page).toContain('<a href="/hub/login">Sign in again</a>');
    expect(page).not.toContain('refresh');
  });
});
