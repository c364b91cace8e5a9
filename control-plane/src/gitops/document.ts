import { KINDS, type KindSpec } from "../api/resource-kinds.js";
import { present as presentSettings } from "../api/routes/settings.js";
import { presentCredential } from "../config/consumers/credentials.js";
import { bundledRuleSetName } from "../config/rule-sets.js";
import { type DraftTelemetry, presentTelemetry } from "../config/telemetry.js";
import type { Store, StoredResource } from "../store/store.js";
import { type Body, canonicalBody, type NameOf } from "./canonical.js";
import { DOCUMENT_SECTIONS, type DocumentSection } from "./sections.js";

/**
 * The whole draft configuration as one declarative document (`palisadectl dump`, `sync -f`):
 * `{rule-sets, upstreams, certificates, policies, consumers, routes, settings, telemetry, anomaly}`,
 * each list ordered by name,
 * every resource in its canonical form (canonical.ts: references by name, defaults and server
 * fields left out). Secrets are `[redacted]`, as in every answer of the API; a file that keeps
 * `[redacted]` keeps the server's secret. A consumer lists its `credentials` (API keys by `id`
 * and `key_prefix`: a key is never shown again, so a file names existing keys only). A rule set
 * is listed by name and `content_hash` (its files are megabytes; a file that keeps the hash keeps
 * the stored files, `palisadectl` sends a rule set's files from its directory); the rule sets that
 * ship with the control plane are never part of a document. `telemetry` is `/v1/telemetry` (a
 * sink's TLS key and webhook header values `[redacted]`, kept by sink name as `PUT` keeps them),
 * `anomaly` is `/v1/anomalies/config` (per-route thresholds keyed by route name). Runtime state
 * (manual blocks, nodes, versions, rollouts) and access control (tokens, roles) are no part of it.
 */
export interface ConfigDocument {
  "rule-sets"?: Body[];
  upstreams?: Body[];
  certificates?: Body[];
  policies?: Body[];
  consumers?: Body[];
  routes?: Body[];
  settings?: Body;
  telemetry?: Body;
  anomaly?: Body;
}

/** The list kinds of a document, in the order a sync writes them (what is referenced first). */
export const DOCUMENT_KINDS = ["rule-sets", "upstreams", "certificates", "policies", "consumers", "routes"] as const;

/** A list kind of a document. */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The CRUD spec of a document kind. */
export function specOf(kind: DocumentKind): KindSpec {
  return KINDS.find((k) => k.kind === kind)!;
}

/** Names by id of the store's referenced resources (ids without a resource stay as they are). */
export async function storeNames(store: Store): Promise<NameOf> {
  const byId = async (kind: "upstreams" | "policies" | "routes" | "rule-sets") => {
    const m = new Map((await store.listResources(kind)).map((r) => [r.id, r.name]));
    return (id: string) => m.get(id) ?? id;
  };
  return {
    upstream: await byId("upstreams"),
    policy: await byId("policies"),
    route: await byId("routes"),
    ruleSet: await byId("rule-sets"),
    defaultRuleSet: (await store.getResource("rule-sets", bundledRuleSetName()))?.name,
  };
}

/** Whether a stored rule set ships with the control plane (never part of a document). */
export function isBundledRuleSet(r: StoredResource): boolean {
  return r.body.bundled === true;
}

/** A credential as a file lists it: what identifies it, no server fields (an API key by id). */
export function credentialEntry(c: Record<string, unknown>): Body {
  const { consumer_id: _c, created_at: _t, id, ...rest } = c;
  return c.type === "api-key" ? { id, ...rest } : rest;
}

/** The store's current resources of one kind, canonical, keyed by name. */
export async function currentOf(store: Store, kind: DocumentKind, names: NameOf): Promise<Map<string, Body>> {
  const spec = specOf(kind);
  const out = new Map<string, Body>();
  for (const r of await store.listResources(kind)) {
    if (kind === "rule-sets" && isBundledRuleSet(r)) continue;
    // A rule set as a document lists it, without parsing its files (spec.present counts rules).
    const shown =
      kind === "rule-sets"
        ? { name: r.name, description: r.body.description, content_hash: r.body.content_hash }
        : await spec.present(r, store);
    if (kind === "consumers")
      shown.credentials = (await store.listCredentials(r.id)).map((c) => credentialEntry(presentCredential(c)));
    out.set(r.name, canonicalBody(kind, shown, names));
  }
  return out;
}

/** One mapping section of the store, as its endpoint shows it (secrets `[redacted]`). */
async function shownSection(store: Store, section: DocumentSection): Promise<Body> {
  switch (section) {
    case "settings":
      return presentSettings(await store.getSettings());
    case "telemetry":
      return presentTelemetry((await store.getSettings("telemetry")) as DraftTelemetry);
    case "anomaly":
      return store.getSettings("anomaly");
  }
}

/** One mapping section of the store, canonical (`{}` when everything has its default). */
export async function currentSection(store: Store, section: DocumentSection, names: NameOf): Promise<Body> {
  return canonicalBody(section, await shownSection(store, section), names);
}

/** The whole draft as a document (see {@link ConfigDocument}); empty kinds are left out. */
export async function dumpConfig(store: Store): Promise<ConfigDocument> {
  const names = await storeNames(store);
  const doc: ConfigDocument = {};
  for (const kind of DOCUMENT_KINDS) {
    // `name` first, as people read a file; then the canonical (sorted) members.
    const items = [...(await currentOf(store, kind, names)).values()].map(({ name, ...rest }) => ({ name, ...rest }));
    if (items.length > 0) doc[kind] = items;
  }
  for (const section of DOCUMENT_SECTIONS) {
    const body = await currentSection(store, section, names);
    if (Object.keys(body).length > 0) doc[section] = body;
  }
  return doc;
}
