// Shared inputs and HTML checks for the page tests: hostile strings, contexts, form extraction.
import type { PageContext } from '../../../../hub/pages/layout';

/** Contains every character the escaper must neutralise. */
export const EVIL = '<script>alert("x")</script>&\'`';
export const EVIL_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;';

export function ctxFor(user: PageContext['user'], extra: Partial<PageContext> = {}): PageContext {
  return { baseUrl: '/', user, csrfToken: 'tok-123', banner: null, ...extra };
}

export const alice = ctxFor({ name: 'alice', admin: false });

export interface FormInfo {
  method: string;
  action: string;
  body: string;
}

/** Every <form> in a page with its method, action (as written, still escaped) and inner HTML. */
export function formsIn(page: string): FormInfo[] {
  const forms: FormInfo[] = [];
  for (const m of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = m[1] ?? '';
    forms.push({
      method: /\bmethod="([^"]*)"/.exec(attrs)?.[1] ?? 'get',
      action: /\baction="([^"]*)"/.exec(attrs)?.[1] ?? '',
      body: m[2] ?? '',
    });
  }
  return forms;
}

export function postFormsTo(page: string, action: string): FormInfo[] {
  return formsIn(page).filter((f) => f.method === 'post' && f.action === action);
}

/** Fails when the page has a script without src, a <style> block or a style= attribute. */
export function expectNoInlineCode(page: string): void {
  expect(page).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>/i);
  expect(page).not.toMatch(/<style\b/i);
  expect(page).not.toMatch(/\sstyle\s*=/i);
  expect(page).not.toMatch(/\son[a-z]+\s*=/i);
}

/** Fails unless EVIL appears only in escaped form. */
export function expectEvilEscaped(page: string): void {
  expect(page).not.toContain('<script>alert');
  expect(page).not.toContain('alert("x")');
  expect(page).not.toContain("&'`");
  expect(page).toContain(EVIL_ESCAPED);
}

/** Every POST form must carry the CSRF field with the context's token. */
export function expectAllPostFormsHaveCsrf(page: string, token = 'tok-123'): void {
  const posts = formsIn(page).filter((f) => f.method === 'post');
  expect(posts.length).toBeGreaterThan(0);
  for (const form of posts) {
    expect(form.body).toContain(`<input type="hidden" name="_csrf" value="${token}">`);
  }
}
