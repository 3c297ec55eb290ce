import { existsSync, readdirSync } from 'node:fs';
import { STATIC_DIR, STATIC_FILES, staticPath, staticUrl } from '../../../../hub/pages/static-files';

describe('static files', () => {
  it('lists exactly the files in the static folder', () => {
    expect(readdirSync(STATIC_DIR).sort()).toEqual(Object.keys(STATIC_FILES).sort());
  });
  it('resolves every listed file on disk', () => {
    for (const file of Object.keys(STATIC_FILES) as Array<keyof typeof STATIC_FILES>) {
      expect(existsSync(staticPath(file))).toBe(true);
    }
  });
  it('gives each a content type and a URL under the base URL', () => {
    expect(STATIC_FILES['hub.css']).toBe('text/css; charset=utf-8');
    expect(STATIC_FILES['progress.js']).toBe('text/javascript; charset=utf-8');
    expect(staticUrl('/', 'hub.css')).toBe('/hub/static/hub.css');
    expect(staticUrl('/prefix/', 'progress.js')).toBe('/prefix/hub/static/progress.js');
  });
});
