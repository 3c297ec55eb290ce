// The workshop pages: escaped, POST + CSRF, the attendee's page with exactly one Start button.
import { renderWorkshopJoin } from '../../../../hub/pages/workshop';
import { renderWorkshopDetail, renderWorkshops, type WorkshopRow } from '../../../../hub/pages/workshops';
import { alice, EVIL, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, formsIn } from '../../hub/pages/fixtures';

const row: WorkshopRow = {
  id: 'AbCdEfGhIjKlMnOp', name: 'JWST day', url: 'http://hub/hub/workshop/AbCdEfGhIjKlMnOp.1.sig', imageLabel: 'Astronomy, version 1', sizeLabel: 'Small',
  group: 'ws', organiser: 'olga', expiresAt: '2025-03-02 10:00 UTC', attendees: 1, maxAttendees: 30, status: 'open',
};

describe('workshop pages', () => {
  it('the attendee page: name, what starts, one Start button in a CSRF form', () => {
    const page = renderWorkshopJoin({ ctx: alice, name: 'JWST day', organiser: 'olga', imageLabel: 'Astronomy', sizeLabel: 'Small', expiresAt: 'x', actionUrl: '/hub/workshop/t' });
    expect(page).toContain('<h1 id="workshop-heading">JWST day</h1>');
    const posts = formsIn(page).filter((f) => f.method === 'post' && f.action === '/hub/workshop/t');
    expect(posts[0]?.body.match(/<button/g)).toHaveLength(1);
    expectAllPostFormsHaveCsrf(page);
    expectNoInlineCode(page);
  });

  it('a refused link has no Start form, only the reason', () => {
    const page = renderWorkshopJoin({ ctx: alice, name: null, actionUrl: null, error: 'expired' });
    expect(page).toContain('id="workshop-error">expired</div>');
    expect(formsIn(page).filter((f) => f.action.includes('workshop'))).toEqual([]);
  });

  it('the organiser pages: the link, the create form, attendees, Stop all and Close as CSRF POSTs', () => {
    const list = renderWorkshops({ ctx: alice, workshops: [row], offers: [{ value: 'astro/small', label: 'Astronomy small' }] });
    expect(list).toContain(`value="${row.url}"`);
    expect(formsIn(list).some((f) => f.method === 'post' && f.action === '/hub/workshops')).toBe(true);
    expectAllPostFormsHaveCsrf(list);
    const detail = renderWorkshopDetail({ ctx: alice, workshop: row, attendees: [{ user: 'amy', joined: 'j', state: 'not started', stopReason: null }], message: 'done' });
    expect(formsIn(detail).filter((f) => f.method === 'post').map((f) => f.action)).toEqual(expect.arrayContaining([`/hub/workshops/${row.id}/stop`, `/hub/workshops/${row.id}/revoke`]));
    expect(detail).toContain('class="state state-not-started">not started</span>');
    expect(detail).toContain('1 of 30 joined; 0 running, 0 failed');
    expectAllPostFormsHaveCsrf(detail);
    expectNoInlineCode(detail);
  });

  it('escapes names, labels and users', () => {
    const evil = { ...row, name: EVIL, imageLabel: EVIL, sizeLabel: EVIL, group: EVIL, organiser: EVIL, url: EVIL };
    expectEvilEscaped(renderWorkshops({ ctx: alice, workshops: [evil], offers: [{ value: EVIL, label: EVIL }], error: EVIL, form: { name: EVIL } }));
    expectEvilEscaped(renderWorkshopDetail({ ctx: alice, workshop: evil, attendees: [{ user: EVIL, joined: EVIL, state: 'failed', stopReason: EVIL }] }));
    expectEvilEscaped(renderWorkshopJoin({ ctx: alice, name: EVIL, organiser: EVIL, imageLabel: EVIL, sizeLabel: EVIL, expiresAt: EVIL, actionUrl: `/x/${EVIL}`, error: EVIL }));
  });
});
