import { escapeHtml, html, raw, SafeHtml } from '../../../../hub/pages/html';
import { EVIL, EVIL_ESCAPED } from './fixtures';

describe('escapeHtml', () => {
  it('escapes & < > " \' and backtick', () => {
    expect(escapeHtml(EVIL)).toBe(EVIL_ESCAPED);
  });
  it('escapes & first so entities are not double-decoded', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('html tagged template', () => {
  it('escapes interpolated strings in text and attributes', () => {
    const out = html`<a title="${EVIL}">${EVIL}</a>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe(`<a title="${EVIL_ESCAPED}">${EVIL_ESCAPED}</a>`);
  });
  it('keeps raw() and nested html fragments as they are', () => {
    const inner = html`<b>${'x<y'}</b>`;
    expect(html`<p>${inner}${raw('<br>')}</p>`.value).toBe('<p><b>x&lt;y</b><br></p>');
  });
  it('joins arrays of fragments and escapes string items', () => {
    const items = ['a&b', html`<i>c</i>`, ['<d>']];
    expect(html`<p>${items}</p>`.value).toBe('<p>a&amp;b<i>c</i>&lt;d&gt;</p>');
  });
  it('renders null, undefined and false as nothing, numbers and true as text', () => {
    expect(html`[${null}|${undefined}|${false}|${0}|${true}]`.value).toBe('[|||0|true]');
  });
  it('toString gives the markup', () => {
    expect(String(html`<p>${'&'}</p>`)).toBe('<p>&amp;</p>');
  });
});
