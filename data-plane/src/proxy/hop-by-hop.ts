/**
 * Hop-by-hop header handling (RFC 9110 §7.6.1): a proxy must not forward the connection-specific
 * fields, nor any field named in `Connection`. The list itself is http/headers.ts's
 * `HOP_BY_HOP_FIELDS` (the engine's writers own those fields); this reads the names a
 * `Connection` field adds to it for one message.
 */
import { HOP_BY_HOP_FIELDS } from "../http/headers.js";

/** The hop-by-hop fields as a set (lower-case names). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(HOP_BY_HOP_FIELDS);

/**
 * The field names listed in a `Connection` header that are not hop-by-hop already (nor the
 * `close` option), lower-case (`"close, X-Foo"` → `["x-foo"]`): the fields of this one message that must not be forwarded.
 * @param value the `Connection` value(s), `undefined` when there is none
 */
export function connectionTokens(value: string | undefined): string[] {
  const out: string[] = [];
  if (value === undefined) return out;
  for (const t of value.split(",")) {
    const name = t.trim().toLowerCase();
    if (name !== "" && name !== "close" && !HOP_BY_HOP.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}
