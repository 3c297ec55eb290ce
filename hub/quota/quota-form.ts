// The admin page's quota form as plain text fields: '' = not set (inherit), "unlimited" = null,
// else a number checked by the same schema as the API. Errors are per field. Pure.
import { QuotaLimitsSchema, type QuotaLimits } from '../store/store';
import { QUOTA_FIELD_KEYS, type QuotaField } from './fields';

export interface QuotaFormResult {
  /** The limits to store, or null when any field is invalid. */
  limits: QuotaLimits | null;
  errors: Partial<Record<QuotaField, string>>;
  /** What the user typed, to show the form again. */
  values: Record<QuotaField, string>;
}

const UNLIMITED = /^(unlimited|none|no limit|∞)$/i;

export function formValues(limits: QuotaLimits): Record<QuotaField, string> {
  const out = {} as Record<QuotaField, string>;
  for (const key of QUOTA_FIELD_KEYS) {
    const v = limits[key];
    out[key] = v === undefined ? '' : v === null ? 'unlimited' : String(v);
  }
  return out;
}

export function parseQuotaForm(body: unknown): QuotaFormResult {
  const form = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values = {} as Record<QuotaField, string>;
  const errors: Partial<Record<QuotaField, string>> = {};
  const candidate: Record<string, number | null> = {};
  for (const key of QUOTA_FIELD_KEYS) {
    const raw = form[key];
    const text = typeof raw === 'string' ? raw.trim() : '';
    values[key] = text;
    if (raw !== undefined && typeof raw !== 'string') {
      errors[key] = 'expected a single value';
      continue;
    }
    if (text === '') continue;
    if (UNLIMITED.test(text)) {
      candidate[key] = null;
      continue;
    }
    const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n)) {
      errors[key] = `"${text}" is not a number (write a number, "unlimited", or leave it empty)`;
      continue;
    }
    candidate[key] = n;
  }
  const parsed = QuotaLimitsSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as QuotaField | undefined;
      if (key !== undefined && errors[key] === undefined) errors[key] = issue.message;
    }
  }
  const ok = Object.keys(errors).length === 0 && parsed.success;
  return { limits: ok ? parsed.data : null, errors, values };
}
