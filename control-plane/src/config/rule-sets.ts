import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { type RuleSet, RuleSetSchema } from "@palisade/proto";
import {
  bundledRuleSetFiles,
  ENGINE_CONF_PATH,
  ParsedRuleSet,
  type RuleSetFile,
  ruleSetContentHash,
  ruleSetPathProblem,
  WafError,
} from "@palisade/waf";
import { LRUCache } from "lru-cache";
import { DomainError, type RuleLocation } from "../errors.js";
import type { Logger } from "../log.js";
import type { Store, StoredResource } from "../store/store.js";
import { type EncodedRuleSetFile, encodeRuleSetFile } from "./rule-set-file.js";

/**
 * WAF rule sets as draft resources (`/v1/rule-sets`, store kind `rule-sets`). Stored body:
 * `{description?, files: [{path, content_base64, sha256}], content_hash, bytes, crs_version, bundled?}`.
 * A rule set reaches nodes only in versions whose waf policies reference it (publisher.ts), as
 * Snapshot field 12, once: a route or policy change never resends it.
 */

/** A rule set's files as the stored body keeps them. */
type StoredFile = EncodedRuleSetFile;

/** The stored body of a rule set. */
export interface RuleSetBody {
  readonly description?: string;
  readonly files: readonly StoredFile[];
  readonly content_hash: string;
  readonly bytes: number;
  readonly crs_version: string | null;
  /** The rule set that ships with this control plane (read-only through the API). */
  readonly bundled?: true;
}

let bundled: ParsedRuleSet | undefined;

/** The rule set this build ships, parsed once per process. */
const bundledParsed = (): ParsedRuleSet => {
  bundled ??= ParsedRuleSet.parse(bundledRuleSetFiles());
  if (!parsedCache.has(bundled.contentHash)) parsedCache.set(bundled.contentHash, bundled);
  return bundled;
};

/** Parsed rule sets by content hash: a rule set is parsed once per process while it is in use. */
const parsedCache = new LRUCache<string, ParsedRuleSet>({ max: 8 });

/**
 * The name of the rule set bundled with this control plane: `crs-` and the CRS version it
 * vendors (`crs-4.28.0`), so an operator sees which CRS a policy runs.
 */
export function bundledRuleSetName(): string {
  const parsed = bundledParsed();
  return `crs-${parsed.crsVersion ?? "bundled"}`;
}

function toStoredFiles(files: readonly RuleSetFile[]): StoredFile[] {
  return files.map((f) => encodeRuleSetFile(f.path, f.text));
}

/** The files of a stored rule set, as the engine reads them (byte strings). */
export function ruleSetFiles(body: RuleSetBody): RuleSetFile[] {
  return body.files.map((f) => ({ path: f.path, text: Buffer.from(f.content_base64, "base64").toString("latin1") }));
}

/** The parsed rule set of a stored one (cached by content hash). */
export function parsedRuleSetOf(r: StoredResource): ParsedRuleSet {
  const body = r.body as unknown as RuleSetBody;
  const cached = parsedCache.get(body.content_hash);
  if (cached) return cached;
  const parsed = ParsedRuleSet.parse(ruleSetFiles(body));
  parsedCache.set(parsed.contentHash, parsed);
  return parsed;
}

/**
 * Makes sure the draft holds the rule set bundled with this control plane (`crs-<version>`,
 * `bundled: true`): inserted on first start, its files replaced when this build ships other
 * ones under the same name (Palisade's engine configuration changed); a rule set bundled by an
 * earlier build (another CRS version) stays as it is, so the policies that run it keep it until
 * an operator moves them.
 * @returns the bundled rule set
 */
export async function ensureBundledRuleSet(store: Store, log?: Logger): Promise<StoredResource> {
  const parsed = bundledParsed();
  const name = `crs-${parsed.crsVersion ?? "bundled"}`;
  const body: RuleSetBody = {
    files: toStoredFiles(bundledRuleSetFiles()),
    content_hash: parsed.contentHash,
    bytes: parsed.bytes,
    crs_version: parsed.crsVersion ?? null,
    bundled: true,
  };
  return store.transaction(async () => {
    const found = await store.getResource("rule-sets", name);
    if (!found) {
      log?.info({ rule_set: name, hash: parsed.contentHash }, "bundled WAF rule set added to the draft");
      return store.insertResource("rule-sets", randomUUID(), name, body as unknown as Record<string, unknown>);
    }
    const current = found.body as unknown as RuleSetBody;
    if (current.bundled && current.content_hash !== parsed.contentHash) {
      log?.warn(
        { rule_set: name, from: current.content_hash, to: parsed.contentHash },
        "bundled WAF rule set updated in the draft (this build ships other files): publish to apply it",
      );
      await store.updateResource("rule-sets", found.id, name, body as unknown as Record<string, unknown>);
      return (await store.getResource("rule-sets", found.id))!;
    }
    return found;
  });
}

/** The id of the rule set bundled with this control plane (a waf policy's default). */
export async function bundledRuleSetId(store: Store): Promise<string> {
  return ((await store.getResource("rule-sets", bundledRuleSetName())) ?? (await ensureBundledRuleSet(store))).id;
}

/**
 * The `RULE_SET_INVALID` (or, for a layout problem, `VALIDATION_FAILED`) error of a WafError from
 * parsing or compiling a rule set, naming `field(file)` and locating the rule.
 */
export function ruleSetError(err: WafError, field: (file: string | undefined) => string): DomainError {
  if (err.code === "WAF_OPTIONS") return new DomainError("VALIDATION_FAILED", err.message, field(err.file));
  const rule: RuleLocation = {
    code: err.code,
    file: err.file ?? "",
    line: err.line ?? 0,
    ...(err.ruleId !== undefined ? { id: err.ruleId } : {}),
  };
  return new DomainError("RULE_SET_INVALID", err.message, field(err.file), { rule });
}

/**
 * Checks the body of `POST /v1/rule-sets` / `PUT /v1/rule-sets/{id}` and returns what is stored:
 * every path fits the layout (`files.N.path`), none twice, base64 decodes, the whole is at most
 * 16 MiB, the files parse and compile (with a waf policy's defaults: paranoia level 1) — an error
 * names the file (`files.N`) and carries the engine's code, file, line and rule id. A rule set
 * without `palisade-engine.conf` gets this control plane's (the JSON body processor and the
 * checks that refuse a body the engine cannot parse).
 * @throws DomainError VALIDATION_FAILED / RULE_SET_INVALID
 */
export function normalizeRuleSet(body: Record<string, unknown>): RuleSetBody {
  const given = body.files as GivenRuleSetFile[];
  const files = ruleSetFilesOf(given);
  const total = files.reduce((n, f) => n + f.text.length, 0);
  if (total > RULE_SET_MAX_BYTES)
    throw new DomainError(
      "VALIDATION_FAILED",
      `the files hold ${total} bytes, more than ${RULE_SET_MAX_BYTES}`,
      "files",
    );
  const fieldOf = (file: string | undefined) => {
    const i = given.findIndex((f) => f.path === file);
    return i === -1 ? "files" : `files.${i}`;
  };
  const hash = ruleSetContentHash(files);
  let parsed = parsedCache.get(hash);
  try {
    if (!parsed) {
      parsed = ParsedRuleSet.parse(files);
      // Compiled once with a policy's defaults: regexes, data files and chains are checked here.
      parsed.compile({});
      parsedCache.set(hash, parsed);
    }
  } catch (err) {
    if (err instanceof WafError) throw ruleSetError(err, fieldOf);
    throw err;
  }
  return {
    ...(typeof body.description === "string" ? { description: body.description } : {}),
    files: toStoredFiles(files),
    content_hash: hash,
    bytes: total,
    crs_version: parsed.crsVersion ?? null,
  };
}

/** A file of a rule set as `POST /v1/rule-sets` takes it. */
export interface GivenRuleSetFile {
  readonly path: string;
  readonly content?: string;
  readonly content_base64?: string;
}

/**
 * The files of a rule set body as the engine reads them: paths checked against the layout, none
 * twice, contents decoded, and this control plane's `palisade-engine.conf` added when absent.
 * @throws DomainError VALIDATION_FAILED naming `files.N.path` / `files.N.content_base64`
 */
function ruleSetFilesOf(given: readonly GivenRuleSetFile[]): RuleSetFile[] {
  const files: RuleSetFile[] = given.map((f, i) => {
    const problem = ruleSetPathProblem(f.path);
    if (problem) throw new DomainError("VALIDATION_FAILED", problem, `files.${i}.path`);
    if (f.content_base64 !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(f.content_base64))
      throw new DomainError("VALIDATION_FAILED", "not base64", `files.${i}.content_base64`);
    const bytes =
      f.content_base64 !== undefined ? Buffer.from(f.content_base64, "base64") : Buffer.from(f.content ?? "", "utf8");
    return { path: f.path, text: bytes.toString("latin1") };
  });
  files.forEach((f, i) => {
    if (files.findIndex((g) => g.path === f.path) !== i)
      throw new DomainError("VALIDATION_FAILED", "listed twice", `files.${i}.path`);
  });
  if (!files.some((f) => f.path === ENGINE_CONF_PATH))
    files.unshift(bundledRuleSetFiles().find((f) => f.path === ENGINE_CONF_PATH)!);
  return files;
}

/**
 * The content hash the rule set with these files would have once stored (what `content_hash`
 * shows), without parsing or compiling it: how a sync compares a file's rule set with the stored one.
 * @throws DomainError VALIDATION_FAILED as `POST /v1/rule-sets` (a path, a duplicate, base64)
 */
export function ruleSetHashOf(given: readonly GivenRuleSetFile[]): string {
  return ruleSetContentHash(ruleSetFilesOf(given));
}

/** Names of the waf policies that run rule set `id`. */
export async function policiesUsingRuleSet(store: Store, id: string): Promise<string[]> {
  return (await store.listResources("policies"))
    .filter((p) => p.body.type === "waf" && (p.body.config as { rule_set?: string }).rule_set === id)
    .map((p) => p.name);
}

/**
 * A rule set as the API shows it: everything but the file contents (`files` lists path, bytes
 * and sha256), the number of rules, `default` for the bundled rule set of this build, and the waf
 * policies that use it.
 */
export async function presentRuleSet(r: StoredResource, store: Store): Promise<Record<string, unknown>> {
  const b = r.body as unknown as RuleSetBody;
  let rules: number | null = null;
  try {
    rules = parsedRuleSetOf(r).rules().length;
  } catch {
    // A rule set stored by an older engine that this one cannot parse: shown without a count.
  }
  return {
    id: r.id,
    name: r.name,
    ...(b.description !== undefined ? { description: b.description } : {}),
    content_hash: b.content_hash,
    bytes: b.bytes,
    crs_version: b.crs_version,
    bundled: b.bundled === true,
    default: b.bundled === true && r.name === bundledRuleSetName(),
    rules,
    files: b.files.map((f) => ({
      path: f.path,
      bytes: Buffer.byteLength(f.content_base64, "base64"),
      sha256: f.sha256,
    })),
    used_by: await policiesUsingRuleSet(store, r.id),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** The snapshot resource of a stored rule set (Snapshot field 12). */
export function toRuleSet(r: StoredResource): RuleSet {
  const b = r.body as unknown as RuleSetBody;
  return create(RuleSetSchema, {
    id: r.id,
    name: r.name,
    contentHash: b.content_hash,
    files: b.files.map((f) => ({ path: f.path, content: Buffer.from(f.content_base64, "base64") })),
  });
}

/** Largest rule set a control plane takes (all files), bytes. The bundled CRS is about 0.9 MiB. */
export const RULE_SET_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Body of `POST /v1/rule-sets` and `PUT /v1/rule-sets/{id}`: a name and the files, each with its
 * path in the rule set's layout and its content as text (UTF-8) or as base64 (any bytes).
 */
export const ruleSetSchema = {
  type: "object",
  required: ["name", "files"],
  additionalProperties: false,
  properties: {
    name: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
      description: "unique; letters, digits, '.', '_' and '-'; at most 64 characters",
    },
    description: { type: "string", maxLength: 1000 },
    files: {
      type: "array",
      minItems: 1,
      maxItems: 1000,
      items: {
        type: "object",
        required: ["path"],
        additionalProperties: false,
        properties: {
          path: { type: "string", minLength: 1, maxLength: 256 },
          content: { type: "string", maxLength: RULE_SET_MAX_BYTES },
          content_base64: { type: "string", maxLength: Math.ceil(RULE_SET_MAX_BYTES / 3) * 4 },
        },
        oneOf: [{ required: ["content"] }, { required: ["content_base64"] }],
      },
    },
  },
} as const;
