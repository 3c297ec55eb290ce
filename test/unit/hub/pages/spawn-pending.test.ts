import { renderSpawnPending, SpawnPendingPageInput } from '../../../../hub/pages/spawn-pending';
import { alice, EVIL, EVIL_ESCAPED, expectEvilEscaped, expectNoInlineCode, formsIn } from './fixtures';

const base: SpawnPendingPageInput = {
  ctx: alice,
  owner: 'alice',
  serverName: '',
  progressUrl: '/hub/api/users/alice/server/progress?_xsrf=abc&x=1',
  serverUrl: '/user/alice/',
  homeUrl: '/hub/home',
};

describe('renderSpawnPending', () => {
  it('has a labelled progress bar, a live status line, a log and an alert slot', () => {
    const page = renderSpawnPending(base);
    expect(page).toContain('<label for="progress-bar">');
    expect(page).toMatch(/<progress id="progress-bar"[^>]*max="100" value="0">/);
    expect(page).toMatch(/id="progress-status"[^>]*role="status" aria-live="polite"/);
    expect(page).toContain('<ol id="progress-log"');
    expect(page).toMatch(/id="progress-error"[^>]*role="alert" hidden/);
    expect(page).toContain('<a href="/hub/home">Back to home</a>');
  });

  it('passes URLs to progress.js through data attributes and loads it from the static folder', () => {
    const page = renderSpawnPending(base);
    expect(page).toContain('data-progress-url="/hub/api/users/alice/server/progress?_xsrf=abc&amp;x=1"');
    expect(page).toContain('data-server-url="/user/alice/"');
    expect(page).toContain('data-home-url="/hub/home"');
    expect(page).toContain('<script src="/hub/static/progress.js" defer></script>');
    expectNoInlineCode(page);
  });

  it('works without JS through a noscript reload link', () => {
    expect(renderSpawnPending(base)).toMatch(/<noscript>[\s\S]*<a href="">Reload this page<\/a>[\s\S]*<\/noscript>/);
  });

  it('has no state-changing form apart from sign-out', () => {
    expect(formsIn(renderSpawnPending(base)).map((f) => f.action)).toEqual(['/hub/logout']);
  });

  it('escapes every value', () => {
    const page = renderSpawnPending({ ...base, owner: EVIL, serverName: EVIL, progressUrl: EVIL, serverUrl: EVIL, homeUrl: EVIL });
    expectEvilEscaped(page);
    expect(page).toContain(`data-progress-url="${EVIL_ESCAPED}"`);
    expect(page).toContain(`data-server-url="${EVIL_ESCAPED}"`);
    expect(page).toContain(`data-home-url="${EVIL_ESCAPED}"`);
    expectNoInlineCode(page);
  });
});
