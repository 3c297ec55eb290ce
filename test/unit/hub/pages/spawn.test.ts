import { html } from '../../../../hub/pages/html';
import { renderSpawn } from '../../../../hub/pages/spawn';
import { alice, EVIL, EVIL_ESCAPED, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, postFormsTo } from './fixtures';

describe('renderSpawn', () => {
  it('is a POST form with the CSRF field and a start button', () => {
    const page = renderSpawn({ ctx: alice, owner: 'alice', serverName: '', actionUrl: '/hub/spawn/alice' });
    const [form] = postFormsTo(page, '/hub/spawn/alice');
    expect(form?.body).toContain('Start your server</button>');
    expect(page).toContain('<title>Start your server — sciencehub</title>');
    expect(page).not.toContain('<fieldset');
    expect(page).not.toContain('role="alert"');
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('names a named server and another owner', () => {
    expect(renderSpawn({ ctx: alice, owner: 'alice', serverName: 'gpu', actionUrl: '/x' })).toContain('Start your server “gpu”');
    expect(renderSpawn({ ctx: alice, owner: 'bob', serverName: '', actionUrl: '/x' })).toContain('Start bob’s server');
  });

  it('renders option controls inside a fieldset in the form', () => {
    const options = html`<label for="image">Image</label><select id="image" name="image"><option>base</option></select>`;
    const page = renderSpawn({ ctx: alice, owner: 'alice', serverName: '', actionUrl: '/a', options, optionsLegend: 'Image and size' });
    const [form] = postFormsTo(page, '/a');
    expect(form?.body).toContain(`<fieldset class="options"><legend>Image and size</legend>${options.value}</fieldset>`);
  });

  it('shows an error in an alert', () => {
    const page = renderSpawn({ ctx: alice, owner: 'alice', serverName: '', actionUrl: '/a', error: 'Over quota' });
    expect(page).toMatch(/role="alert">Over quota</);
  });

  it('escapes owner, server name, error and action URL', () => {
    const page = renderSpawn({ ctx: alice, owner: EVIL, serverName: EVIL, actionUrl: `/a/${EVIL}`, error: EVIL, optionsLegend: EVIL, options: html`x` });
    expectEvilEscaped(page);
    expect(page).toContain(`action="/a/${EVIL_ESCAPED}"`);
    expectNoInlineCode(page);
  });
});
