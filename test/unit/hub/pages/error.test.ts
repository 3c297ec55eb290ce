import { renderError } from '../../../../hub/pages/error';
import { alice, ctxFor, EVIL, expectEvilEscaped, expectNoInlineCode } from './fixtures';

describe('renderError', () => {
  it('shows status, title, message and the error id to quote', () => {
    const page = renderError({ ctx: alice, status: 404, title: 'Not found', message: 'No such page.', errorId: 'e-42' });
    expect(page).toContain('<title>Not found — sciencehub</title>');
    expect(page).toContain('Error 404');
    expect(page).toContain('<h1 id="error-heading">Not found</h1>');
    expect(page).toContain('<p>No such page.</p>');
    expect(page).toContain('Error id: <code>e-42</code>. Quote this id when you ask for help.');
    expectNoInlineCode(page);
  });

  it('renders for signed-out visitors and without an id', () => {
    const page = renderError({ ctx: ctxFor(null, { csrfToken: null }), status: 500, title: 'Oops', message: 'm', errorId: null });
    expect(page).not.toContain('Error id');
    expect(page).not.toContain('hub/logout');
  });

  it('escapes title, message and id', () => {
    expectEvilEscaped(renderError({ ctx: alice, status: 400, title: EVIL, message: EVIL, errorId: EVIL }));
  });
});
