// The page notice that warns a user before a cull, and how the layout shows it on every page.
import { cullNotice } from '../../../../hub/culler/notice';
import { CullerConfigSchema } from '../../../../hub/culler/config';
import { emptyServer } from '../../../../hub/servers/orchestrator';
import { NO_RESOURCES } from '../../../../spawner/types';
import type { Server } from '../../../../hub/store/store';
import { renderLayout } from '../../../../hub/pages/layout';
import { html } from '../../../../hub/pages/html';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const config = CullerConfigSchema.parse({ timeoutSeconds: 3600, maxAgeSeconds: 0, warnBeforeSeconds: 600, overrides: { groups: { staff: { timeoutSeconds: 0 } } } });

function running(over: Partial<Server> = {}): Server {
  return { ...emptyServer('alice', '', NO_RESOURCES), state: 'running', url: 'http://127.0.0.1:1', started: iso(T0), lastActivity: iso(T0), ...over };
}

describe('cullNotice', () => {
  it('warns inside the window, linking to the server (using it resets the idle clock)', () => {
    expect(cullNotice(running(), [], config, T0 + 3000_000, '/')).toEqual({
      level: 'warning',
      text: 'Your server has been idle and will be stopped in about 10 minutes unless you use it (idle limit 1 hour).',
      link: { href: '/user/alice/', label: 'Open it to keep it running' },
    });
    expect(cullNotice(running({ name: 'gpu' }), [], config, T0 + 3000_000, '/jh/')?.link?.href).toBe('/jh/user/alice/gpu/');
  });

  it('has no link for a maximum age (nothing the user can do but save their work)', () => {
    const aged = CullerConfigSchema.parse({ timeoutSeconds: 0, maxAgeSeconds: 3600, warnBeforeSeconds: 600 });
    const n = cullNotice(running({ lastActivity: iso(T0 + 3590_000) }), [], aged, T0 + 3590_000, '/');
    expect(n).toEqual({ level: 'warning', text: expect.stringMatching(/will be stopped in about 10 seconds: servers may run for at most 1 hour/) });
  });

  it('says nothing before the window, for exempt groups, or when the culler is off', () => {
    expect(cullNotice(running(), [], config, T0 + 3000_000 - 1, '/')).toBeNull();
    expect(cullNotice(running(), ['staff'], config, T0 + 3599_000, '/')).toBeNull();
    expect(cullNotice(running(), [], { ...config, enabled: false }, T0 + 3599_000, '/')).toBeNull();
  });

  it('is shown, escaped, at the top of any page through the layout', () => {
    const notice = cullNotice(running({ name: 'a<b' }), [], config, T0 + 3300_000, '/');
    expect(notice).not.toBeNull();
    const page = renderLayout({ ctx: { baseUrl: '/', user: { name: 'alice', admin: false }, csrfToken: 't', notices: [notice as NonNullable<typeof notice>] }, title: 'Home', body: html`<p>body</p>` });
    expect(page).toContain('Your server “a&lt;b” has been idle and will be stopped in about 5 minutes');
    expect(page).toContain('href="/user/alice/a%3Cb/"');
    expect(page.indexOf('will be stopped')).toBeLessThan(page.indexOf('<p>body</p>'));
  });
});
