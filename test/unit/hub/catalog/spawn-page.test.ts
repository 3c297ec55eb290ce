// The spawn form's image chooser, the link confirmation and the refusal page: escaped, POST +
// CSRF, one Start button, no inline code.
import { imageChooser, linkChoice, renderSpawn, renderSpawnRefusal, type SpawnImageChoice } from '../../../../hub/pages/spawn';
import { alice, EVIL, expectAllPostFormsHaveCsrf, expectEvilEscaped, expectNoInlineCode, formsIn } from '../../hub/pages/fixtures';

const astro: SpawnImageChoice = {
  id: 'astro', displayName: 'Astronomy', description: 'JWST tools', version: '2025.01.0', tags: ['JWST', 'HST'], deprecated: false,
  successor: null, sizes: [{ name: 'small', label: 'Small (4 GiB, 1 CPU)' }, { name: 'medium', label: 'Medium (8 GiB, 2 CPUs)' }], defaultSize: 'medium',
};
const old: SpawnImageChoice = { ...astro, id: 'astro-old', displayName: 'Old astronomy', deprecated: true, successor: 'Astronomy', sizes: [{ name: 'small', label: 'Small' }], defaultSize: 'small' };

describe('imageChooser', () => {
  it('one radio per image with its own size select; the default size preselected; the first image checked', () => {
    const out = imageChooser([astro, old], { image: null, size: null }).value;
    expect(out.match(/type="radio" name="image"/g)).toHaveLength(2);
    expect(out).toContain('id="image-astro" value="astro" checked');
    expect(out).not.toContain('value="astro-old" checked');
    expect(out).toContain('<option value="medium" selected>Medium (8 GiB, 2 CPUs)</option>');
    expect(out).toContain('name="size.astro-old"');
    expect(out).toContain('version 2025.01.0');
    expect(out).toContain('(JWST, HST)');
    expect(out).toContain('Deprecated: use <strong>Astronomy</strong> for new work.');
    expect(out).not.toContain('server_name');
  });

  it('keeps a selection and offers the server name when asked', () => {
    const out = imageChooser([astro, old], { image: 'astro-old', size: 'small' }, { serverNameField: true }).value;
    expect(out).toContain('value="astro-old" checked');
    expect(out).toContain('name="server_name"');
  });

  it('escapes everything from the catalog', () => {
    const evil = { ...astro, id: EVIL, displayName: EVIL, description: EVIL, version: EVIL, tags: [EVIL], sizes: [{ name: EVIL, label: EVIL }] };
    const page = renderSpawn({ ctx: alice, owner: 'alice', serverName: '', actionUrl: '/hub/spawn/alice', options: imageChooser([evil], { image: null, size: null }) });
    expectEvilEscaped(page);
    expectNoInlineCode(page);
  });
});

describe('link confirmation and refusal', () => {
  it('the confirmation is one POST form with CSRF, the hidden choice, the intro and one Start button', () => {
    const page = renderSpawn({ ctx: alice, owner: 'alice', serverName: '', actionUrl: '/hub/spawn/alice', options: linkChoice(astro, 'small'), intro: 'From a link', notes: ['note one'] });
    const posts = formsIn(page).filter((f) => f.method === 'post' && f.action === '/hub/spawn/alice');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toContain('<input type="hidden" name="image" value="astro"><input type="hidden" name="size" value="small">');
    expect(posts[0]?.body.match(/<button/g)).toHaveLength(1);
    expect(page).toContain('<p class="notice">From a link</p>');
    expect(page).toContain('<p class="note">note one</p>');
    expect(page).toContain('Small (4 GiB, 1 CPU)');
    expectAllPostFormsHaveCsrf(page);
  });

  it('the refusal page says why, the quota, what is allowed, and has no start form', () => {
    const page = renderSpawnRefusal({ ctx: alice, reason: 'Too big', allowed: [astro], limits: 'at most 8 GiB', formUrl: '/hub/spawn/alice' });
    expect(page).toContain('<div class="alert alert-error" role="alert" id="refusal-reason">Too big</div>');
    expect(page).toContain('Your quota: at most 8 GiB.');
    expect(page).toContain('<code>small</code> Small (4 GiB, 1 CPU), <code>medium</code> Medium (8 GiB, 2 CPUs)');
    expect(formsIn(page).filter((f) => f.action.includes('spawn'))).toEqual([]);
    expect(renderSpawnRefusal({ ctx: alice, reason: EVIL, allowed: [], limits: EVIL, formUrl: '/x' })).toContain('No image may be started from a link for you.');
    expectEvilEscaped(renderSpawnRefusal({ ctx: alice, reason: EVIL, allowed: [], limits: 'x', formUrl: '/x' }));
  });
});
