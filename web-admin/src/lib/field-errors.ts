/**
 * Where a form shows the API's validation error. The API names the field at
 * fault as a dotted path (`targets.0.port`, `config.jwks.keys.0.d`); a form
 * knows which paths it renders. The error goes beside the deepest rendered
 * field that is the named one or contains it; otherwise above the form.
 */

/** The rendered field `field` belongs to, or null (show it above the form). */
export function placeError(field: string | undefined, rendered: readonly string[]): string | null {
  if (!field) return null;
  let best: string | null = null;
  for (const f of rendered)
    if ((field === f || field.startsWith(`${f}.`)) && (best === null || f.length > best.length)) best = f;
  return best;
}

/** DOM id of a form control for `field` (labels point at it; errors focus it). */
export function fieldId(field: string): string {
  return `f-${field.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** Splits "a, b c" or "a\nb" into trimmed, non-empty items. */
export function splitList(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}
