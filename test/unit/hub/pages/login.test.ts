import { renderLogin, LoginPageInput } from '../../../../hub/pages/login';
import { ctxFor, EVIL, EVIL_ESCAPED, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, postFormsTo } from './fixtures';

const base: LoginPageInput = {
  ctx: ctxFor(null),
  next: '/hub/home',
  openSignup: false,
  loginUrl: '/hub/login',
};

describe('renderLogin', () => {
  it('posts username, password, _csrf and next to the login URL', () => {
    const page = renderLogin(base);
    const [form] = postFormsTo(page, '/hub/login');
    expect(form).toBeDefined();
    expect(form?.body).toMatch(/<input id="username" name="username" type="text"/);
    expect(form?.body).toMatch(/<input id="password" name="password" type="password"/);
    expect(form?.body).toContain('<input type="hidden" name="next" value="/hub/home">');
    expect(page).toContain('<label for="username">');
    expect(page).toContain('<label for="password">');
    expect(page).toContain('<title>Sign in — sciencehub</title>');
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('requires a password unless sign-up is open, and explains open sign-up', () => {
    const closed = renderLogin(base);
    expect(closed).toMatch(/name="password"[^>]*required/);
    expect(closed).not.toContain('keeps no passwords');
    const open = renderLogin({ ...base, openSignup: true });
    expect(open).not.toMatch(/name="password"[^>]*required/);
    expect(open).toContain('Any name signs you in; this trial hub keeps no passwords.');
  });

  it('shows the error in an alert and keeps the typed name', () => {
    const page = renderLogin({ ...base, error: 'Invalid username or password', username: 'bob' });
    expect(page).toMatch(/role="alert"[^>]*>Invalid username or password</);
    expect(page).toMatch(/name="username"[^>]*value="bob"/);
  });

  it('has no alert without an error', () => {
    expect(renderLogin(base)).not.toContain('role="alert"');
  });

  it('escapes next, username, error and login URL', () => {
    const page = renderLogin({ ...base, next: EVIL, username: EVIL, error: EVIL, loginUrl: `/hub/login?x=${EVIL}` });
    expectEvilEscaped(page);
    expect(page).toContain(`name="next" value="${EVIL_ESCAPED}"`);
    expect(page).toContain(`value="${EVIL_ESCAPED}" autocomplete="username"`);
    expect(page).toContain(`action="/hub/login?x=${EVIL_ESCAPED}"`);
  });
});
