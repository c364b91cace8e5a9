/**
 * Decodes one `application/x-www-form-urlencoded` component (WHATWG URL §5.1: `+` is a space,
 * then percent-decoding); a malformed escape stays as it is.
 */
export function decodeFormComponent(s: string): string {
  const plus = s.includes("+") ? s.replaceAll("+", " ") : s;
  if (!plus.includes("%")) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}
