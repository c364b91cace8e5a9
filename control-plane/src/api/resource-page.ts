import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { DomainError } from "../errors.js";
import { queryInt } from "./query.js";

/**
 * The entity tag of a resource as the API shows it: a strong tag over its JSON (RFC 9110 §8.8.3),
 * so any change of what a `GET` answers (`updated_at` included) changes it.
 */
export function etagOf(shown: unknown): string {
  return `"${createHash("sha256").update(JSON.stringify(shown)).digest("base64url").slice(0, 27)}"`;
}

/**
 * Optimistic concurrency (RFC 9110 §13.1.1): when the request carries `If-Match`, the resource's
 * current tag must be one of its tags (or the header `*`). Without `If-Match` the write goes
 * ahead, as before this rule (a client that read nothing has nothing to compare; Kubernetes
 * likewise applies an update without a resourceVersion unconditionally). Call inside the write's
 * transaction, with the resource as `GET` would show it now.
 * @throws DomainError 412 PRECONDITION_FAILED with the current `etag`; nothing is written
 */
export function requireMatch(req: FastifyRequest, current: unknown): void {
  const header = req.headers["if-match"];
  if (header === undefined) return;
  const wanted = String(header)
    .split(",")
    .map((t) => t.trim());
  if (wanted.includes("*")) return;
  const etag = etagOf(current);
  // Strong comparison: a weak tag never matches (RFC 9110 §13.1.1).
  if (!wanted.includes(etag))
    throw new DomainError(
      "PRECONDITION_FAILED",
      "the resource changed since it was read: read it again (its ETag) and retry",
      undefined,
      { etag },
    );
}

/** Query parameters every paged list takes. */
export const PAGE_QUERY = {
  limit: { type: "string", pattern: "^[0-9]{1,15}$", description: "at most this many items (1-1000); absent: all" },
  after: { type: "string", minLength: 1, maxLength: 256, description: "the cursor: items after this one (see next)" },
} as const;

/**
 * One page of a list ordered by a stable key: `{items, next}`. `items` must already be filtered
 * and hold only what comes after the request's `after` cursor, in key order. With `limit`, at most
 * that many and `next` is the URL of the following page (the same query with `after` set to the
 * last item's key), or null at the end; without `limit`, every item (as before pagination) and
 * `next: null`.
 * @throws DomainError VALIDATION_FAILED when `limit` is outside 1-1000
 */
export function pageOf<T>(
  req: FastifyRequest,
  items: readonly T[],
  keyOf: (item: T) => string,
): { items: T[]; next: string | null } {
  const limit = queryInt(req.query, "limit", 1, 1000);
  if (limit === undefined || items.length <= limit) return { items: [...items], next: null };
  const page = items.slice(0, limit);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, string>)) if (k !== "after") params.set(k, v);
  params.set("after", keyOf(page.at(-1)!));
  return { items: page, next: `${req.url.split("?")[0]}?${params.toString()}` };
}
