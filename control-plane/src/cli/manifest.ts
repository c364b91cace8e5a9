import { parseAllDocuments } from "yaml";
import { CliError } from "./admin-client.js";

/** Resource kinds `palisadectl apply` manages, in the order they are applied (referenced before referencing). */
export const APPLY_ORDER = ["rule-sets", "upstreams", "certificates", "policies", "consumers", "routes"] as const;

/** A kind of draft resource, as named in the API path (`/v1/<kind>`). */
export type ManifestKind = (typeof APPLY_ORDER)[number];

/** One resource of a manifest: its kind and the API body (with `name`). */
export interface ManifestEntry {
  readonly kind: ManifestKind;
  readonly name: string;
  readonly body: Record<string, unknown>;
  /** Where it came from, for messages: `file.yaml#2` (document) or `file.yaml: routes[3]`. */
  readonly source: string;
}

const KIND_ALIASES: Record<string, ManifestKind> = {
  upstream: "upstreams",
  upstreams: "upstreams",
  certificate: "certificates",
  certificates: "certificates",
  policy: "policies",
  policies: "policies",
  consumer: "consumers",
  consumers: "consumers",
  route: "routes",
  routes: "routes",
  "rule-set": "rule-sets",
  "rule-sets": "rule-sets",
  rule_sets: "rule-sets",
  ruleset: "rule-sets",
  rulesets: "rule-sets",
};

/**
 * Reads a manifest (YAML or JSON) in either of two shapes:
 * - documents separated by `---`, each `{kind: route, name: orders, ...body}` (kubectl style);
 * - one document `{upstreams: [...], policies: [...], routes: [...]}` (decK style).
 * Bodies are exactly what `POST /v1/<kind>` takes, references by name; a rule set names the CRS
 * directory it is read from instead of its files (`{kind: rule-set, name, directory,
 * description?}`, the directory relative to the manifest).
 * @returns the entries in apply order (rule sets, upstreams, certificates, policies, consumers, routes),
 *   each kind in file order.
 * @throws CliError BAD_MANIFEST naming the document and field (syntax error, unknown kind,
 *   missing name, duplicate name of one kind).
 */
export function parseManifest(text: string, file: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const docs = parseAllDocuments(text);
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const where = `${file}#${i + 1}`;
    if (doc.errors.length > 0) throw new CliError("BAD_MANIFEST", `${where}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value))
      throw new CliError("BAD_MANIFEST", `${where}: a document must be a mapping`);
    const obj = value as Record<string, unknown>;
    if ("kind" in obj) {
      entries.push(entry(obj, where));
      continue;
    }
    for (const [key, list] of Object.entries(obj)) {
      const kind = KIND_ALIASES[key];
      if (!kind)
        throw new CliError(
          "BAD_MANIFEST",
          `${where}: unknown key ${JSON.stringify(key)} (expected ${APPLY_ORDER.join(", ")} or kind:)`,
        );
      if (!Array.isArray(list)) throw new CliError("BAD_MANIFEST", `${where}: ${key} must be a list`);
      list.forEach((item, j) => {
        if (typeof item !== "object" || item === null || Array.isArray(item))
          throw new CliError("BAD_MANIFEST", `${where}: ${key}[${j}] must be a mapping`);
        entries.push(entry({ kind, ...(item as Record<string, unknown>) }, `${where}: ${key}[${j}]`));
      });
    }
  }
  const seen = new Set<string>();
  for (const e of entries) {
    const key = `${e.kind}/${e.name}`;
    if (seen.has(key)) throw new CliError("BAD_MANIFEST", `${e.source}: ${key} appears twice`);
    seen.add(key);
  }
  return APPLY_ORDER.flatMap((k) => entries.filter((e) => e.kind === k));
}

function entry(obj: Record<string, unknown>, source: string): ManifestEntry {
  const { kind: rawKind, ...body } = obj;
  const kind = typeof rawKind === "string" ? KIND_ALIASES[rawKind.toLowerCase()] : undefined;
  if (!kind)
    throw new CliError(
      "BAD_MANIFEST",
      `${source}: kind ${JSON.stringify(rawKind)} is not one of ${Object.keys(KIND_ALIASES).join(", ")}`,
    );
  if (typeof body.name !== "string" || body.name === "")
    throw new CliError("BAD_MANIFEST", `${source}: name is required`);
  if (kind === "rule-sets" && (typeof body.directory !== "string" || body.directory === ""))
    throw new CliError("BAD_MANIFEST", `${source}: a rule set needs directory (a CRS v4 directory)`);
  return { kind, name: body.name, body, source };
}

/** Fields the API adds to a resource; a manifest never sets them. */
const SERVER_FIELDS = new Set(["id", "created_at", "updated_at"]);

/**
 * Compares a manifest entry with the resource the API holds, as `apply` replaces it (PUT: the
 * manifest is the whole resource, kubectl/decK style).
 * @returns `same` when applying would change nothing, and the top-level fields the resource has
 *   that the manifest leaves out (applying removes them)
 */
export function compareWithHeld(
  wanted: Readonly<Record<string, unknown>>,
  held: Readonly<Record<string, unknown>>,
): { same: boolean; removed: string[] } {
  const kept = Object.fromEntries(Object.entries(held).filter(([k]) => !SERVER_FIELDS.has(k)));
  const removed = Object.keys(kept).filter((k) => !(k in wanted));
  return { same: removed.length === 0 && deepEqual(wanted, kept), removed };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => deepEqual(x, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => k in bo && deepEqual(ao[k], bo[k]));
}
