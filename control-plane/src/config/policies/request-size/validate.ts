import { fail } from "../../fail.js";

/**
 * Checks a `request-size` config: at least one limit above 0.
 * @throws DomainError VALIDATION_FAILED naming `config`
 */
export function checkRequestSize(c: Record<string, number | undefined>): void {
  const any = ["max_body_bytes", "max_header_bytes", "max_headers", "max_url_bytes", "max_query_params"].some(
    (k) => (c[k] ?? 0) > 0,
  );
  if (!any) fail("set at least one limit above 0", "config");
}
