import { OAuthConsentPageInput, renderOAuthConsent } from '../../../../hub/pages/oauth-consent';
import { alice, EVIL, EVIL_ESCAPED, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, formsIn, postFormsTo } from './fixtures';

const base: OAuthConsentPageInput = {
  ctx: alice,
  clientDescription: 'Server at /user/alice/',
  scopes: [{ scope: 'read:users:name', description: 'Read your user name' }],
  actionUrl: '/hub/api/oauth2/authorize',
  hidden: { client_id: 'jupyterhub-user-alice', redirect_uri: '/user/alice/oauth_callback', state: 's&1' },
};

describe('renderOAuthConsent', () => {
  it('asks for permission and lists the scopes', () => {
    const page = renderOAuthConsent(base);
    expect(page).toContain('<strong>Server at /user/alice/</strong> would like permission to:');
    expect(page).toContain('<li>Read your user name <code class="scope">read:users:name</code></li>');
    expectNoInlineCode(page);
  });

  it('authorizes by POST with _csrf and every hidden field; Cancel is a link, not a submit', () => {
    const page = renderOAuthConsent(base);
    const [form] = postFormsTo(page, '/hub/api/oauth2/authorize');
    expect(form?.body).toContain('<input type="hidden" name="client_id" value="jupyterhub-user-alice">');
    expect(form?.body).toContain('<input type="hidden" name="redirect_uri" value="/user/alice/oauth_callback">');
    expect(form?.body).toContain('<input type="hidden" name="state" value="s&amp;1">');
    expect(form?.body).toContain('<button type="submit" class="button button-primary">Authorize</button>');
    expect(form?.body.match(/type="submit"/g)).toHaveLength(1);
    expect(page).toMatch(/<a class="button button-quiet" href="\/hub\/home">Cancel<\/a>/);
    expectAllPostFormsHaveCsrf(page);
  });

  it('uses the given cancel URL', () => {
    expect(renderOAuthConsent({ ...base, cancelUrl: '/user/alice/' })).toContain('href="/user/alice/">Cancel</a>');
  });

  it('explains identity-only access when no scopes are asked for', () => {
    expect(renderOAuthConsent({ ...base, scopes: [] })).toContain('<li>identify you by your user name</li>');
  });

  it('escapes client, scopes, hidden names and values, and the action', () => {
    const page = renderOAuthConsent({
      ...base,
      clientDescription: EVIL,
      scopes: [{ scope: EVIL, description: EVIL }],
      actionUrl: `/a/${EVIL}`,
      hidden: { [EVIL]: EVIL },
      cancelUrl: `/c/${EVIL}`,
    });
    expectEvilEscaped(page);
    expect(formsIn(page).find((f) => f.method === 'post' && f.action === `/a/${EVIL_ESCAPED}`)?.body)
      .toContain(`<input type="hidden" name="${EVIL_ESCAPED}" value="${EVIL_ESCAPED}">`);
    expect(page).toContain(`href="/c/${EVIL_ESCAPED}"`);
  });
});
