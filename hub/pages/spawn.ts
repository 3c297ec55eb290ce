// Spawn pages: the form (images the user may use with their sizes, POST + CSRF), the pre-filled
// confirmation a magic link opens (one Start button, never a start on GET), and the refusal page
// of a bad link (why, and what is allowed). Pure: data in, HTML out.
import { html, SafeHtml } from './html';
import { csrfField, PageContext, renderLayout } from './layout';
import { atSentenceStart, serverPhrase } from './server-phrase';

export interface SpawnPageInput {
  ctx: PageContext;
  /** Name of the user whose server starts (an admin may start someone else's). */
  owner: string;
  /** '' for the default server. */
  serverName: string;
  actionUrl: string;
  error?: string | null;
  /** Form controls for server options (image, size…), rendered inside a fieldset. */
  options?: SafeHtml | null;
  /** Legend of the options fieldset. */
  optionsLegend?: string;
  /** Shown above the form, e.g. "You opened a link that starts…". */
  intro?: string | null;
  /** Small print under the options (quota, local spawner). */
  notes?: readonly string[];
}

/** One image as the form shows it, with only the sizes the user may choose. */
export interface SpawnImageChoice {
  id: string;
  displayName: string;
  description: string;
  version: string;
  tags: readonly string[];
  deprecated: boolean;
  /** Display name of the successor of a deprecated image. */
  successor: string | null;
  sizes: ReadonlyArray<{ name: string; label: string }>;
  defaultSize: string;
}

export interface Selection {
  image: string | null;
  size: string | null;
}

function tagList(tags: readonly string[]): SafeHtml | null {
  return tags.length ? html` <span class="muted">(${tags.join(', ')})</span>` : null;
}

function imageCard(img: SpawnImageChoice, checked: boolean, size: string | null): SafeHtml {
  const chosenSize = size !== null && img.sizes.some((s) => s.name === size) ? size : img.sizes.some((s) => s.name === img.defaultSize) ? img.defaultSize : img.sizes[0]?.name;
  const deprecated = img.deprecated
    ? html`<p class="note">Deprecated${img.successor ? html`: use <strong>${img.successor}</strong> for new work` : null}.</p>`
    : null;
  return html`<div class="field image-choice" data-image="${img.id}">
<input type="radio" name="image" id="image-${img.id}" value="${img.id}"${checked ? html` checked` : null} required>
<label for="image-${img.id}"><strong>${img.displayName}</strong> <span class="version">version ${img.version}</span>${tagList(img.tags)}</label>
<p class="muted">${img.description}</p>
${deprecated}
<label for="size-${img.id}">Size for ${img.displayName}</label>
<select id="size-${img.id}" name="size.${img.id}">
${img.sizes.map((s) => html`<option value="${s.name}"${s.name === chosenSize ? html` selected` : null}>${s.label}</option>`)}
</select>
</div>`;
}

/** The image and size controls of the form; the first image is chosen unless `selected` says otherwise. */
export function imageChooser(images: readonly SpawnImageChoice[], selected: Selection, opts: { serverNameField?: boolean } = {}): SafeHtml {
  const chosen = images.some((i) => i.id === selected.image) ? selected.image : images[0]?.id;
  const serverName = opts.serverNameField
    ? html`<div class="field"><label for="server_name">Server name <span class="muted">(optional: leave empty for your default server)</span></label>
<input id="server_name" name="server_name" type="text" maxlength="63" autocapitalize="none" spellcheck="false"></div>`
    : null;
  return html`${images.map((img) => imageCard(img, img.id === chosen, img.id === chosen ? selected.size : null))}${serverName}`;
}

/** The hidden fields and plain description of a pre-filled (link) choice. */
export function linkChoice(img: SpawnImageChoice, sizeName: string): SafeHtml {
  const size = img.sizes.find((s) => s.name === sizeName);
  return html`<input type="hidden" name="image" value="${img.id}"><input type="hidden" name="size" value="${sizeName}">
<dl class="link-choice"><dt>Image</dt><dd><strong>${img.displayName}</strong>, version ${img.version}${tagList(img.tags)}</dd>
<dt>Size</dt><dd>${size?.label ?? sizeName}</dd></dl>
<p class="muted">${img.description}</p>`;
}

export function renderSpawn(input: SpawnPageInput): string {
  const { ctx } = input;
  const phrase = serverPhrase(ctx, input.owner, input.serverName);
  const error = input.error
    ? html`<div class="alert alert-error" role="alert">${input.error}</div>`
    : null;
  const intro = input.intro ? html`<p class="notice">${input.intro}</p>` : null;
  const options = input.options
    ? html`<fieldset class="options"><legend>${input.optionsLegend ?? 'Server options'}</legend>${input.options}</fieldset>`
    : null;
  const notes = (input.notes ?? []).map((n) => html`<p class="note">${n}</p>`);
  const body = html`<section class="card narrow" aria-labelledby="spawn-heading">
<h1 id="spawn-heading">Start ${phrase}</h1>
${error}
${intro}
<form method="post" action="${input.actionUrl}" class="stack">
${csrfField(ctx)}
${options}
${notes}
<p>${atSentenceStart(phrase)} will start now; this can take a minute or two.</p>
<button type="submit" class="button button-primary button-large">Start ${phrase}</button>
</form>
</section>`;
  return renderLayout({ ctx, title: `Start ${phrase}`, body });
}

export interface SpawnRefusalPageInput {
  ctx: PageContext;
  /** Why the link cannot start anything, in the user's words. */
  reason: string;
  /** What this user may start from a link, with the sizes within their quota. */
  allowed: readonly SpawnImageChoice[];
  /** e.g. "at most 8 GiB of memory per server". */
  limits: string;
  /** The plain spawn form. */
  formUrl: string;
}

export function renderSpawnRefusal(input: SpawnRefusalPageInput): string {
  const { ctx } = input;
  const allowed = input.allowed.length
    ? html`<h2>What a link may start for you</h2>
<ul class="allowed-images">${input.allowed.map((img) => html`<li><strong>${img.displayName}</strong> (<code>${img.id}</code>, version ${img.version}): sizes ${img.sizes.map((s, i) => html`${i ? ', ' : ''}<code>${s.name}</code> ${s.label}`)}</li>`)}</ul>`
    : html`<p>No image may be started from a link for you.</p>`;
  const body = html`<section class="card narrow" aria-labelledby="refusal-heading">
<h1 id="refusal-heading">This link cannot start a server</h1>
<div class="alert alert-error" role="alert" id="refusal-reason">${input.reason}</div>
<p>Nothing was started. Your quota: ${input.limits}.</p>
${allowed}
<p><a class="button" href="${input.formUrl}">Choose on the spawn page</a></p>
</section>`;
  return renderLayout({ ctx, title: 'Link refused', body });
}
