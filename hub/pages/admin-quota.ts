// Admin form that edits the quota of one user or group (POST + CSRF). Empty field = not set here
// (inherited), "unlimited" = no limit; bad values come back with the field marked. Pure.
import { html } from './html';
import { csrfField, PageContext, renderLayout } from './layout';
import { timeElement } from './relative-time';

export interface QuotaFormField {
  key: string;
  label: string;
  /** Unit shown after the input: "GB", "EUR", "servers"... */
  unit: string;
  /** The input's current text ('' = not set here). */
  value: string;
  /** What applies when the field is left empty, e.g. "4 GB (default)". */
  inherited: string;
  error: string | null;
}

export interface QuotaEditPageInput {
  ctx: PageContext;
  now: Date;
  subject: 'user' | 'group';
  name: string;
  actionUrl: string;
  backUrl: string;
  fields: readonly QuotaFormField[];
  /** For a user: their effective quota with sources; for a group: its members. */
  effective?: ReadonlyArray<{ label: string; value: string; source: string }>;
  members?: readonly string[];
  updated: string | null;
  updatedBy: string | null;
}

export function renderQuotaEdit(input: QuotaEditPageInput): string {
  const { ctx } = input;
  const title = input.subject === 'user' ? `Quota of ${input.name}` : `Quota of group ${input.name}`;
  const errors = input.fields.filter((f) => f.error !== null);
  const summary = errors.length
    ? html`<div class="alert alert-error" role="alert"><p>Not saved: fix the marked field${errors.length === 1 ? '' : 's'}.</p>
<ul>${errors.map((f) => html`<li><a href="#quota-${f.key}">${f.label}: ${f.error}</a></li>`)}</ul></div>`
    : null;
  const fields = input.fields.map((f) => html`<div class="field">
<label for="quota-${f.key}">${f.label} <span class="muted">(${f.unit})</span></label>
<input id="quota-${f.key}" name="${f.key}" type="text" inputmode="decimal" value="${f.value}" aria-describedby="quota-${f.key}-hint${f.error ? html` quota-${f.key}-error` : null}"${f.error ? html` aria-invalid="true"` : null}>
<span id="quota-${f.key}-hint" class="muted">Empty: ${f.inherited}</span>
${f.error ? html`<span id="quota-${f.key}-error" class="stop-reason">${f.error}</span>` : null}
</div>`);
  const effective = input.effective
    ? html`<h2>Effective quota now</h2><ul>${input.effective.map((e) => html`<li>${e.label}: ${e.value} <span class="muted">(${e.source})</span></li>`)}</ul>`
    : null;
  const members = input.members
    ? html`<p>Members: ${input.members.length ? input.members.join(', ') : html`<span class="muted">none</span>`}</p>`
    : null;
  const updated = input.updated
    ? html`<p class="muted">Last changed ${timeElement(input.updated, input.now)} by ${input.updatedBy ?? 'unknown'}.</p>`
    : null;
  const body = html`<section class="card narrow" aria-labelledby="quota-heading">
<h1 id="quota-heading">${title}</h1>
${summary}
<p>Leave a field empty to inherit it, or write <code>unlimited</code> for no limit. A user’s own quota beats their groups’; of several groups the most generous applies, field by field.</p>
${members}
<form method="post" action="${input.actionUrl}" class="stack" novalidate>
${csrfField(ctx)}
${fields}
<button type="submit" class="button button-primary">Save quota</button>
</form>
${updated}
${effective}
<p><a href="${input.backUrl}">Back to admin</a></p>
</section>`;
  return renderLayout({ ctx, title, body });
}
