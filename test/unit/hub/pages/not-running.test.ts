import { NotRunningPageInput, renderNotRunning } from '../../../../hub/pages/not-running';
import { alice, ctxFor, EVIL, EVIL_ESCAPED, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, postFormsTo } from './fixtures';

const base: NotRunningPageInput = {
  ctx: alice,
  owner: 'alice',
  serverName: '',
  spawnUrl: '/hub/spawn/alice',
  stopReason: null,
  isOwner: true,
};

describe('renderNotRunning', () => {
  it('gives the owner a Start button posting to the spawn URL', () => {
    const page = renderNotRunning(base);
    expect(page).toContain('<h1 id="not-running-heading">Server not running</h1>');
    expect(page).toContain('Your server is not running.');
    expect(postFormsTo(page, '/hub/spawn/alice')).toHaveLength(1);
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('gives others only the message', () => {
    const page = renderNotRunning({ ...base, ctx: ctxFor({ name: 'bob', admin: false }), isOwner: false });
    expect(page).toContain('alice’s server is not running.');
    expect(page).toContain('Only alice can start it.');
    expect(postFormsTo(page, '/hub/spawn/alice')).toHaveLength(0);
  });

  it('shows the stop reason', () => {
    expect(renderNotRunning({ ...base, stopReason: 'culled after 1 hour idle' })).toContain('It stopped: culled after 1 hour idle');
  });

  it('escapes every value', () => {
    const page = renderNotRunning({ ...base, owner: EVIL, serverName: EVIL, spawnUrl: `/s/${EVIL}`, stopReason: EVIL });
    expectEvilEscaped(page);
    expect(page).toContain(`action="/s/${EVIL_ESCAPED}"`);
    expect(renderNotRunning({ ...base, owner: EVIL, isOwner: false })).toContain(`Only ${EVIL_ESCAPED} can start it.`);
  });
});
