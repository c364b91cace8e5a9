import { KINDS, type KindSpec } from "../api/resource-kinds.js";
import { present as presentSettings } from "../api/routes/settings.js";
import { presentCredential } from "../consumers/credentials.js";
import type { Store } from "../store/store.js";
import { type Body, canonicalBody, type NameOf } from "./canonical.js";

/**
 * The whole draft configuration as one declarative document (`palisadectl dump`, `sync -f`):
 * `{upstreams, certificates, policies, consumers, routes, settings}`, each list ordered by name,
 * every resource in its canonical form (canonical.ts: references by name, defaults and server
 * fields left out). Secrets are `[redacted]`, as in every answer of the API; a file that keeps
 * `[redacted]` keeps the server's secret. A consumer lists its `credentials` (API keys by `id`
 * and `key_prefix`: a key is never shown again, so a file names existing keys only).
 */
export interface ConfigDocument {
  upstreams?: Body[];
  certificates?: Body[];
  policies?: Body[];
  consumers?: Body[];
  routes?: Body[];
  settings?: Body;
}

/** The list kinds of a document, in the order a sync writes them (what is referenced first). */
export const DOCUMENT_KINDS = ["upstreams", "certificates", "policies", "consumers", "routes"] as const;

/** A list kind of a document. */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The CRUD spec of a document kind. */
export function specOf(kind: DocumentKind): KindSpec {
  return KINDS.find((k) => k.kind === kind)!;
}

/** Names by id of the store's upstreams and policies (ids without a resource stay as they are). */
export function storeNames(store: Store): NameOf {
  const ups = new Map(store.listResources("upstreams").map((r) => [r.id, r.name]));
  const pols = new Map(store.listResources("policies").map((r) => [r.id, r.name]));
  return { upstream: (id) => ups.get(id) ?? id, policy: (id) => pols.get(id) ?? id };
}

/** A credential as a file lists it: what identifies it, no server fields (an API key by id). */
export function credentialEntry(c: Record<string, unknown>): Body {
  const { consumer_id: _c, created_at: _t, id, ...rest } = c;
  return c.type === "api-key" ? { id, ...rest } : rest;
}

/** The store's current resources of one kind, canonical, keyed by name. */
export function currentOf(store: Store, kind: DocumentKind, names: NameOf): Map<string, Body> {
  const spec = specOf(kind);
  const out = new Map<string, Body>();
  for (const r of store.listResources(kind)) {
    const shown = spec.present(r);
    if (kind === "consumers")
      shown.credentials = store.listCredentials(r.id).map((c) => credentialEntry(presentCredential(c)));
    out.set(r.name, canonicalBody(kind, shown, names));
  }
  return out;
}

/** The store's settings, canonical (`{}` when every setting has its default). */
export function currentSettings(store: Store, names: NameOf): Body {
  return canonicalBody("settings", presentSettings(store.getSettings()), names);
}

/** The whole draft as a document (see {@link ConfigDocument}); empty kinds are left out. */
export function dumpConfig(store: Store): ConfigDocument {
  const names = storeNames(store);
  const doc: ConfigDocument = {};
  for (const kind of DOCUMENT_KINDS) {
    const items = [...currentOf(store, kind, names).values()];
    if (items.length > 0) doc[kind] = items;
  }
  const settings = currentSettings(store, names);
  if (Object.keys(settings).length > 0) doc.settings = settings;
  return doc;
}
