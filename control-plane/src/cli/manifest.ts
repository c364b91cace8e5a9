import { loadAll } from "js-yaml";
import { DOCUMENT_SECTIONS, type DocumentSection, isSection } from "../gitops/sections.js";
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
 * description?}`, the directory relative to the manifest), or, as `dump` writes it, the
 * `content_hash` of the files the control plane holds.
 * @returns the entries in apply order (rule sets, upstreams, certificates, policies, consumers, routes),
 *   each kind in file order.
 * @throws CliError BAD_MANIFEST naming the document and field (syntax error, unknown kind,
 *   missing name, duplicate name of one kind).
 */
export function parseManifest(text: string, file: string): ManifestEntry[] {
  return readManifest(text, file).entries;
}

/** A manifest: its resources in apply order, and the mapping sections it gives. */
export interface Manifest {
  entries: ManifestEntry[];
  sections: Partial<Record<DocumentSection, Record<string, unknown>>>;
}

/**
 * Reads a manifest as {@link parseManifest} does, and its mapping sections `settings`,
 * `telemetry`, `anomaly` (decK-style `settings:` key, or a document `kind: settings`).
 * @throws CliError BAD_MANIFEST as parseManifest
 */
export function readManifest(text: string, file: string): Manifest {
  const entries: ManifestEntry[] = [];
  const sections: Manifest["sections"] = {};
  const takeSection = (section: DocumentSection, v: unknown, where: string) => {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new CliError("BAD_MANIFEST", `${where}: ${section} must be a mapping`);
    if (sections[section]) throw new CliError("BAD_MANIFEST", `${where}: ${section} appears twice`);
    sections[section] = v as Record<string, unknown>;
  };
  let docs: unknown[];
  try {
    // JSON is YAML; js-yaml reads a 10,000-route file in about a second (the `yaml` package took ten).
    docs = /^\s*[{[]/.test(text) ? [JSON.parse(text)] : loadAll(text, { filename: file });
  } catch (err) {
    throw new CliError("BAD_MANIFEST", `${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  for (const [i, value] of docs.entries()) {
    const where = `${file}#${i + 1}`;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value))
      throw new CliError("BAD_MANIFEST", `${where}: a document must be a mapping`);
    const obj = value as Record<string, unknown>;
    if (typeof obj.kind === "string" && isSection(obj.kind)) {
      const { kind, ...rest } = obj;
      takeSection(kind as DocumentSection, rest, where);
      continue;
    }
    if ("kind" in obj) {
      entries.push(entry(obj, where));
      continue;
    }
    for (const [key, list] of Object.entries(obj)) {
      if (isSection(key)) {
        takeSection(key, list, `${where}: ${key}`);
        continue;
      }
      const kind = KIND_ALIASES[key];
      if (!kind)
        throw new CliError(
          "BAD_MANIFEST",
          `${where}: unknown key ${JSON.stringify(key)} (expected ${[...APPLY_ORDER, ...DOCUMENT_SECTIONS].join(", ")} or kind:)`,
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
  const ordered = APPLY_ORDER.flatMap((k) => entries.filter((e) => e.kind === k));
  return { entries: ordered, sections };
}

/**
 * The configuration document a manifest describes (`POST /v1/config/sync`'s `document`): each
 * kind's bodies in file order, and the sections it gives.
 */
export function toDocument(m: Manifest): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const k of APPLY_ORDER) {
    const items = m.entries.filter((e) => e.kind === k).map((e) => e.body);
    if (items.length > 0) doc[k] = items;
  }
  for (const section of DOCUMENT_SECTIONS) if (m.sections[section]) doc[section] = m.sections[section];
  return doc;
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
  if (
    kind === "rule-sets" &&
    !(typeof body.directory === "string" && body.directory !== "") &&
    !body.files &&
    !body.content_hash
  )
    throw new CliError(
      "BAD_MANIFEST",
      `${source}: a rule set needs directory (a CRS v4 directory), or content_hash to keep the stored files`,
    );
  return { kind, name: body.name, body, source };
}
