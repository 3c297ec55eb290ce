import { relativeTime, timeElement } from '../../../../hub/pages/relative-time';
import { EVIL, EVIL_ESCAPED } from './fixtures';

const now = new Date('2024-05-01T12:00:00Z');

describe('relativeTime', () => {
  it.each([
    ['2024-05-01T11:59:30Z', 'just now'],
    ['2024-05-01T11:59:10Z', '1 minute ago'],
    ['2024-05-01T11:55:00Z', '5 minutes ago'],
    ['2024-05-01T11:00:00Z', '1 hour ago'],
    ['2024-04-29T12:00:00Z', '2 days ago'],
    ['2024-04-17T12:00:00Z', '2 weeks ago'],
    ['2023-04-01T12:00:00Z', '1 year ago'],
    ['2024-05-01T14:00:00Z', 'in 2 hours'],
  ])('%s → %s', (iso, text) => {
    expect(relativeTime(iso, now)).toBe(text);
  });
  it('returns null for an invalid timestamp', () => {
    expect(relativeTime('not a date', now)).toBeNull();
  });
});

describe('timeElement', () => {
  it('renders a <time datetime> with relative text', () => {
    expect(timeElement('2024-05-01T11:55:00Z', now).value).toBe(
      '<time datetime="2024-05-01T11:55:00Z" title="2024-05-01T11:55:00Z">5 minutes ago</time>',
    );
  });
  it('says never for null', () => {
    expect(timeElement(null, now).value).toContain('never');
  });
  it('shows an unparseable value escaped, without a datetime attribute', () => {
    const out = timeElement(EVIL, now).value;
    expect(out).toBe(EVIL_ESCAPED);
  });
});
