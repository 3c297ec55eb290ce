import { HomeServer, renderHome } from '../../../../hub/pages/home';
import { alice, EVIL, EVIL_ESCAPED, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, formsIn, postFormsTo } from './fixtures';

const now = new Date('2024-05-01T12:00:00Z');

function server(over: Partial<HomeServer> = {}): HomeServer {
  const name = over.name ?? '';
  const suffix = name === '' ? '' : `/${name}`;
  return {
    name,
    state: 'stopped',
    url: `/user/alice/${name === '' ? '' : `${name}/`}`,
    started: null,
    lastActivity: null,
    stopReason: null,
    progressPageUrl: `/hub/spawn-pending/alice${suffix}`,
    stopUrl: `/hub/stop/alice${suffix}`,
    startUrl: `/hub/spawn/alice${suffix}`,
    ...over,
  };
}

const render = (servers: HomeServer[], namedServersAllowed = false) =>
  renderHome({ ctx: alice, servers, namedServersAllowed, now });

describe('renderHome', () => {
  it.each(['stopped', 'failed'] as const)('offers a big Start button when the default server is %s', (state) => {
    const page = render([server({ state })]);
    const forms = postFormsTo(page, '/hub/spawn/alice');
    expect(forms).toHaveLength(1);
    expect(forms[0]?.body).toMatch(/<button type="submit" class="button button-primary button-large">Start<\/button>/);
    expect(page).not.toContain('/hub/stop/alice');
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('offers Open and Stop when running, with times relative to now', () => {
    const page = render([server({ state: 'running', started: '2024-05-01T11:00:00Z', lastActivity: '2024-05-01T11:58:00Z' })]);
    expect(page).toMatch(/<a class="button button-primary button-large" href="\/user\/alice\/">Open<\/a>/);
    expect(postFormsTo(page, '/hub/stop/alice')).toHaveLength(1);
    expect(postFormsTo(page, '/hub/spawn/alice')).toHaveLength(0);
    expect(page).toContain('<time datetime="2024-05-01T11:00:00Z" title="2024-05-01T11:00:00Z">1 hour ago</time>');
    expect(page).toContain('2 minutes ago');
    expectAllPostFormsHaveCsrf(page);
  });

  it('links to the progress page while pending, with no start or stop form', () => {
    const page = render([server({ state: 'pending' })]);
    expect(page).toContain('href="/hub/spawn-pending/alice">View progress</a>');
    const named = render([server(), server({ name: 'gpu', state: 'pending' })], true);
    expect(named).toContain('href="/hub/spawn-pending/alice/gpu">View progress<span class="visually-hidden"> of gpu</span></a>');
    expect(formsIn(page).filter((f) => f.action !== '/hub/logout')).toHaveLength(0);
  });

  it('shows no action but a reload hint while stopping', () => {
    const page = render([server({ state: 'stopping' })]);
    expect(page).toContain('Stopping');
    expect(postFormsTo(page, '/hub/spawn/alice')).toHaveLength(0);
    expect(postFormsTo(page, '/hub/stop/alice')).toHaveLength(0);
  });

  it('shows the stop reason', () => {
    const page = render([server({ state: 'failed', stopReason: 'exited with code 1' })]);
    expect(page).toContain('Your server stopped: exited with code 1');
  });

  it('lists the default server first, then named servers by name', () => {
    const page = render([server({ name: 'zeta' }), server({ name: 'gpu', state: 'running' }), server()], true);
    const order = ['Default server', '>gpu<', '>zeta<'].map((s) => page.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(postFormsTo(page, '/hub/stop/alice/gpu')).toHaveLength(1);
    expect(postFormsTo(page, '/hub/spawn/alice/zeta')).toHaveLength(1);
  });

  it('offers a new-server form only when named servers are allowed', () => {
    const on = render([server()], true);
    const newForm = formsIn(on).find((f) => f.method === 'get');
    expect(newForm?.action).toBe('/hub/spawn');
    expect(newForm?.body).toContain('name="server_name"');
    expect(on).toContain('<label for="server_name">');
    expect(formsIn(render([server()])).some((f) => f.method === 'get')).toBe(false);
    const custom = renderHome({ ctx: alice, servers: [server()], namedServersAllowed: true, now, newServerUrl: '/hub/new' });
    expect(formsIn(custom).find((f) => f.method === 'get')?.action).toBe('/hub/new');
  });

  it('says so when there are no servers', () => {
    expect(render([])).toContain('You have no servers yet.');
  });

  it('escapes names, URLs, times and reasons', () => {
    const page = render([
      server({ name: EVIL, state: 'running', url: `/user/${EVIL}`, stopUrl: `/stop/${EVIL}`, started: EVIL, stopReason: EVIL }),
      server({ name: 'b', state: 'stopped', startUrl: `/start/${EVIL}` }),
      server({ name: 'c', state: 'pending', progressPageUrl: `/p/${EVIL}` }),
    ], true);
    expectEvilEscaped(page);
    expect(page).toContain(`href="/user/${EVIL_ESCAPED}"`);
    expect(page).toContain(`action="/stop/${EVIL_ESCAPED}"`);
    expect(page).toContain(`action="/start/${EVIL_ESCAPED}"`);
    expect(page).toContain(`href="/p/${EVIL_ESCAPED}"`);
    expectNoInlineCode(page);
  });
});
