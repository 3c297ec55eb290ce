// The organiser's workshop pages: their workshops with links and a form to make one, and one
// workshop's attendees with the state of their servers, Revoke and Stop all (POST + CSRF).
// Pure: data in, HTML out.
import { html, SafeHtml } from './html';
import { csrfField, hubUrl, PageContext, postButton, renderLayout } from './layout';

export interface WorkshopRow {
  id: string;
  name: string;
  /** The full attendee link. */
  url: string;
  imageLabel: string;
  sizeLabel: string;
  group: string;
  organiser: string;
  expiresAt: string;
  attendees: number;
  maxAttendees: number;
  /** 'open', 'expired' or 'closed'. */
  status: 'open' | 'expired' | 'closed';
}

/** One option of the create form: value "image/size". */
export interface WorkshopOffer {
  value: string;
  label: string;
}

export interface WorkshopsPageInput {
  ctx: PageContext;
  workshops: readonly WorkshopRow[];
  offers: readonly WorkshopOffer[];
  error?: string | null;
  /** Values to keep in the form after an error. */
  form?: Partial<Record<'name' | 'choice' | 'hours' | 'max' | 'group', string>>;
}

function linkBox(url: string, id: string): SafeHtml {
  return html`<input class="workshop-link" id="link-${id}" type="text" readonly value="${url}" aria-label="Workshop link">`;
}

function createForm(ctx: PageContext, offers: readonly WorkshopOffer[], f: WorkshopsPageInput['form'] = {}): SafeHtml {
  return html`<section class="card" aria-labelledby="new-workshop-heading">
<h2 id="new-workshop-heading">New workshop link</h2>
<form method="post" action="${hubUrl(ctx, 'workshops')}" class="stack">
${csrfField(ctx)}
<div class="field"><label for="ws-name">Name</label><input id="ws-name" name="name" type="text" required maxlength="120" value="${f.name ?? ''}"></div>
<div class="field"><label for="ws-choice">Software and size</label><select id="ws-choice" name="choice" required>
${offers.map((o) => html`<option value="${o.value}"${o.value === f.choice ? html` selected` : null}>${o.label}</option>`)}
</select></div>
<div class="field"><label for="ws-hours">Link valid for (hours)</label><input id="ws-hours" name="hours" type="number" min="1" max="2160" required value="${f.hours ?? '8'}"></div>
<div class="field"><label for="ws-max">Maximum attendees</label><input id="ws-max" name="max" type="number" min="1" max="1000" required value="${f.max ?? '30'}"></div>
<div class="field"><label for="ws-group">Group attendees join <span class="muted">(optional; its quota applies to them; default: a new group for this workshop)</span></label>
<input id="ws-group" name="group" type="text" maxlength="63" autocapitalize="none" spellcheck="false" value="${f.group ?? ''}"></div>
<button type="submit" class="button button-primary">Create link</button>
</form>
</section>`;
}

export function renderWorkshops(input: WorkshopsPageInput): string {
  const { ctx } = input;
  const error = input.error ? html`<div class="alert alert-error" role="alert">${input.error}</div>` : null;
  const rows = input.workshops.map((w) => html`<tr class="workshop-row" data-workshop="${w.id}">
<th scope="row"><a href="${hubUrl(ctx, `workshops/${w.id}`)}">${w.name}</a></th>
<td>${w.imageLabel}<br><span class="muted">${w.sizeLabel}</span></td>
<td>${w.attendees} / ${w.maxAttendees}</td><td>${w.status === 'open' ? html`until ${w.expiresAt}` : w.status}</td>
<td>${w.status === 'open' ? linkBox(w.url, w.id) : null}</td></tr>`);
  const table = input.workshops.length
    ? html`<div class="table-wrap"><table class="servers"><caption class="visually-hidden">Your workshops</caption>
<thead><tr><th scope="col">Workshop</th><th scope="col">Software</th><th scope="col">Attendees</th><th scope="col">Status</th><th scope="col">Link</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p>No workshops yet.</p>`;
  const body = html`<h1>Workshops</h1>
${error}
${table}
${input.offers.length ? createForm(ctx, input.offers, input.form) : html`<p class="note">No catalog image may be started from links, so no workshop can be made.</p>`}`;
  return renderLayout({ ctx, title: 'Workshops', body });
}

export interface WorkshopAttendee {
  user: string;
  joined: string;
  state: string;
  stopReason: string | null;
}

export interface WorkshopDetailPageInput {
  ctx: PageContext;
  workshop: WorkshopRow;
  attendees: readonly WorkshopAttendee[];
  /** Result of the last action, e.g. "Stopped 12 servers." */
  message?: string | null;
}

export function renderWorkshopDetail(input: WorkshopDetailPageInput): string {
  const { ctx, workshop: w } = input;
  const base = hubUrl(ctx, `workshops/${w.id}`);
  const message = input.message ? html`<p class="notice" role="status">${input.message}</p>` : null;
  const rows = input.attendees.map((a) => html`<tr class="attendee server-${a.state.replace(' ', '-')}" data-user="${a.user}">
<th scope="row">${a.user}</th><td>${a.joined}</td><td><span class="state state-${a.state.replace(' ', '-')}">${a.state}</span>${a.stopReason ? html`<p class="stop-reason">${a.stopReason}</p>` : null}</td></tr>`);
  const running = input.attendees.filter((a) => a.state === 'running' || a.state === 'pending').length;
  const failed = input.attendees.filter((a) => a.state === 'failed').length;
  const body = html`<p><a href="${hubUrl(ctx, 'workshops')}">All workshops</a></p>
<h1>${w.name}</h1>
${message}
<dl class="workshop-details"><dt>Software</dt><dd>${w.imageLabel}, ${w.sizeLabel}</dd><dt>Group</dt><dd>${w.group}</dd>
<dt>Organiser</dt><dd>${w.organiser}</dd><dt>Status</dt><dd>${w.status === 'open' ? `open until ${w.expiresAt}` : w.status}</dd>
<dt>Attendees</dt><dd id="attendee-count">${w.attendees} of ${w.maxAttendees} joined; ${running} running, ${failed} failed</dd></dl>
${w.status === 'open' ? html`<div class="field"><label for="link-${w.id}">Link for attendees</label>${linkBox(w.url, w.id)}</div>` : null}
<div class="actions">${postButton(ctx, `${base}/stop`, 'Stop all servers', { className: 'button button-danger' })}${w.status === 'closed' ? null : postButton(ctx, `${base}/revoke`, 'Close the link', { className: 'button' })}</div>
${input.attendees.length ? html`<div class="table-wrap"><table class="servers"><caption class="visually-hidden">Attendees</caption>
<thead><tr><th scope="col">Attendee</th><th scope="col">Joined</th><th scope="col">Server</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p>Nobody has joined yet.</p>`}`;
  return renderLayout({ ctx, title: w.name, body });
}
