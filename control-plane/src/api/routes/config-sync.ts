import type { FastifyInstance } from "fastify";
import type { AdminIdentity } from "../../admin-token.js";
import { redactSecrets } from "../../config/redact.js";
import { type DraftTelemetry, presentTelemetry } from "../../config/telemetry.js";
import { DomainError } from "../../errors.js";
import { applyPlan } from "../../gitops/apply.js";
import type { Body } from "../../gitops/canonical.js";
import { type ConfigDocument, DOCUMENT_KINDS, dumpConfig } from "../../gitops/document.js";
import { documentEntries, type PlanChange, planSync } from "../../gitops/plan.js";
import { DOCUMENT_SECTIONS } from "../../gitops/sections.js";
import { assertCan, assertRoutePaths } from "../../rbac/authorize.js";
import { routePathStrings } from "../../rbac/permissions.js";
import type { Store } from "../../store/store.js";
import { anyObject, bool, int, list, obj, replies, str } from "../response-schemas.js";

/** Body of `POST /v1/config/sync`. */
export const syncSchema = {
  type: "object",
  required: ["document"],
  additionalProperties: false,
  properties: {
    document: {
      type: "object",
      description:
        "the configuration: {rule-sets, upstreams, certificates, policies, consumers, routes, settings, telemetry, anomaly}, as GET /v1/config/dump answers it",
    },
    prune: {
      type: "boolean",
      description: "delete what the document leaves out (default false: create and update only)",
    },
    dry_run: { type: "boolean", description: "check everything and answer the plan; write nothing" },
    force: { type: "boolean", description: "allow taking an authentication or WAF policy off a route" },
  },
} as const;

/** The document `GET /v1/config/dump` answers: each kind a list of canonical bodies, each section a mapping. */
const DOCUMENT = obj(
  Object.fromEntries([
    ...DOCUMENT_KINDS.map((k) => [k, list(obj({ name: str }, ["name"]))]),
    ...DOCUMENT_SECTIONS.map((k) => [k, anyObject]),
  ]),
  [],
  "the draft as one declarative document (gitops/document.ts)",
);

const ACTIONS = ["create", "update", "delete", "unchanged"];

/** The answer of `POST /v1/config/sync`: the plan, and whether anything was written. */
const PLAN = obj(
  {
    changes: list(
      obj(
        {
          kind: { type: "string", enum: [...DOCUMENT_KINDS, ...DOCUMENT_SECTIONS] },
          name: str,
          action: { type: "string", enum: ACTIONS },
          removed: { ...list(str), description: "top-level fields the update removes" },
          before: anyObject,
          after: anyObject,
        },
        ["kind", "name", "action"],
      ),
    ),
    counts: obj(Object.fromEntries(ACTIONS.map((a) => [a, int])), ACTIONS),
    removals: list(obj({ resource: str, policy: str, type: str }, ["resource", "policy", "type"])),
    dry_run: bool,
    changed: { ...bool, description: "the draft was written" },
  },
  ["changes", "counts", "removals", "dry_run", "changed"],
);

/** A sync may carry a whole configuration (10,000 routes are a few MB of JSON). */
const SYNC_BODY_LIMIT = 64 * 1024 * 1024;

/** Refuses a sync whose changes the token may not make (each resource's own permission and bounds). */
function authorizeChanges(who: AdminIdentity, changes: readonly PlanChange[]): void {
  for (const c of changes) {
    if (c.action === "unchanged") continue;
    if (c.kind === "policies") {
      for (const b of [c.before, c.after]) if (b) assertCan(who, "policies", "write", String(b.type));
      continue;
    }
    // The anomaly section is /v1/anomalies/config's (permission `anomalies`).
    assertCan(who, c.kind === "anomaly" ? "anomalies" : c.kind, "write");
    if (c.kind === "routes")
      for (const b of [c.before, c.after]) if (b) assertRoutePaths(who, routePathStrings(b.paths), c.name);
  }
}

/** A body of a plan with its secrets `[redacted]` (a telemetry section as GET /v1/telemetry shows it). */
function shownBody(kind: PlanChange["kind"], body: Body): Body {
  if (kind !== "telemetry") return redactSecrets(body) as Body;
  const shown: Body = presentTelemetry(body as DraftTelemetry);
  for (const [k, v] of Object.entries(shown)) if (Array.isArray(v) && v.length === 0) delete shown[k];
  return shown;
}

/**
 * A change as the answer shows it: secrets the file gives in clear are `[redacted]` in `before`
 * and `after`, so a plan (printed by `palisadectl diff`, kept in CI logs, audited) never carries
 * one; what changed is still listed.
 */
function shownChange(c: PlanChange): PlanChange {
  return {
    ...c,
    ...(c.before ? { before: shownBody(c.kind, c.before) } : {}),
    ...(c.after ? { after: shownBody(c.kind, c.after) } : {}),
  };
}

/**
 * GitOps endpoints (issue 18):
 * - `GET /v1/config/dump`: the whole draft as one declarative document (gitops/document.ts);
 * - `POST /v1/config/sync` `{document, prune?, dry_run?, force?}`: makes the draft what the
 *   document says, all or nothing. The answer is the plan — every resource to `create`,
 *   `update` (with `before`/`after` canonical bodies and the fields it `removed`) or `delete`
 *   (unchanged ones are only counted) — plus `counts`, `removals` and `changed`. A file with an error answers 400
 *   naming the resource (`resource`) and the field, and changes nothing. Taking an
 *   authentication or WAF policy off a route (or out of the global policies) needs `force`
 *   (409 PROTECTION_REMOVED listing each). Every change needs the permission its resource's own
 *   endpoint needs (a route-prefix-bound token syncs only its routes). Dry runs and syncs that
 *   changed nothing are not audited.
 */
export function registerConfigSyncRoutes(app: FastifyInstance, store: Store): void {
  app.get("/v1/config/dump", { schema: { response: replies(DOCUMENT) } }, async () => dumpConfig(store));

  const sync = { schema: { body: syncSchema, response: replies(PLAN) }, bodyLimit: SYNC_BODY_LIMIT };
  app.post("/v1/config/sync", sync, async (req) => {
    const b = req.body as { document: ConfigDocument; prune?: boolean; dry_run?: boolean; force?: boolean };
    const entries = documentEntries(b.document);
    const plan = await planSync(store, b.document, entries, b.prune === true);
    authorizeChanges(req.admin!, plan.changes);
    if (plan.removals.length > 0 && b.force !== true)
      throw new DomainError(
        "PROTECTION_REMOVED",
        `the change takes protection away: ${plan.removals.map((r) => `${r.resource} loses ${r.type} policy ${r.policy}`).join("; ")}; pass force to confirm`,
        undefined,
        { removals: plan.removals },
      );
    const dryRun = b.dry_run === true;
    const changed = plan.counts.create + plan.counts.update + plan.counts.delete > 0;
    if (changed) await applyPlan(store, plan, entries, b.document, dryRun);
    // Unchanged resources are only counted: a 10,000-route file that changed nothing answers a few bytes.
    const changes = plan.changes.filter((c) => c.action !== "unchanged").map(shownChange);
    return { ...plan, changes, dry_run: dryRun, changed: changed && !dryRun };
  });
}
