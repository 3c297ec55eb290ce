// Where the pages' static assets live and how they are served (file names, content types, URLs).
// Resolved from __dirname so it works from TS sources (jest) and from dist/ after the build copy.
import path from 'node:path';

/** Folder holding hub.css and the client scripts; the build copies it beside the compiled pages. */
export const STATIC_DIR = path.join(__dirname, 'static');

/** Every file the hub serves under `${baseUrl}hub/static/`, with its content type. */
export const STATIC_FILES = {
  'hub.css': 'text/css; charset=utf-8',
  'progress.js': 'text/javascript; charset=utf-8',
} as const satisfies Record<string, string>;

export type StaticFileName = keyof typeof STATIC_FILES;

/** Public URL of a static file, e.g. staticUrl('/', 'hub.css') → '/hub/static/hub.css'. */
export function staticUrl(baseUrl: string, file: StaticFileName): string {
  return `${baseUrl}hub/static/${file}`;
}

/** Absolute path of a static file on disk. */
export function staticPath(file: StaticFileName): string {
  return path.join(STATIC_DIR, file);
}
