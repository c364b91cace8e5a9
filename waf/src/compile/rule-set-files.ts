import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { basename, join, posix } from "node:path";
import { ENGINE_CONF, palisadeRuleSources, readByteFile, VENDORED_CRS_DIR } from "../crs.js";
import { WafError } from "../errors.js";
import type { Directive } from "../seclang/directives.js";
import { parseSecLang } from "../seclang/parser.js";
import { compileDirectives } from "./compiler.js";
import { policySecLang, type WafPolicyOptions } from "./policy.js";
import type { CompiledRuleSet } from "./rule-set.js";

/**
 * One file of a rule set that travels as config (a control plane's `RuleSet` resource): its path
 * relative to the rule set's root, with `/` separators, and its bytes as a byte string (latin1),
 * as the engine reads configuration.
 */
export interface RuleSetFile {
  readonly path: string;
  readonly text: string;
}

/** Palisade's engine configuration inside a rule set: loaded first. */
export const ENGINE_CONF_PATH = "palisade-engine.conf";

/**
 * Where each file of a rule set goes, in load order (after ModSecurity's and Coraza's usual
 * `Include` order): the engine configuration, the policy's setup (generated), crs-setup, CRS's
 * rules by name (REQUEST-9xx before RESPONSE-9xx), extra rules by name (Palisade's or the
 * operator's own), the policy's exclusions (generated). `rules/*.data` are read by the rules
 * that name them.
 */
const LAYOUT: ReadonlyArray<{
  readonly pattern: RegExp;
  readonly role: "engine" | "setup" | "rules" | "extra" | "data";
}> = [
  { pattern: /^palisade-engine\.conf$/, role: "engine" },
  { pattern: /^crs-setup\.conf(?:\.example)?$/, role: "setup" },
  { pattern: /^rules\/[A-Za-z0-9._-]+\.conf$/, role: "rules" },
  { pattern: /^rules\/[A-Za-z0-9._-]+\.data$/, role: "data" },
  { pattern: /^extra\/[A-Za-z0-9._-]+\.conf$/, role: "extra" },
];

/**
 * Why a path cannot be a file of a rule set, or undefined when it can: `palisade-engine.conf`,
 * `crs-setup.conf` or `crs-setup.conf.example`, `rules/<name>.conf`, `rules/<name>.data`,
 * `extra/<name>.conf` (names of letters, digits, `.`, `_`, `-`).
 */
export function ruleSetPathProblem(path: string): string | undefined {
  if (LAYOUT.some((l) => l.pattern.test(path))) return undefined;
  return "not a rule set file: palisade-engine.conf, crs-setup.conf(.example), rules/*.conf, rules/*.data or extra/*.conf";
}

/**
 * The content hash of a rule set: sha256 (hex) over its files ordered by path, each as
 * `uint32be(len(path)) ‖ path ‖ uint64be(len(content)) ‖ content` (lengths in bytes; the path in
 * UTF-8, the content as its bytes). Equal files give the equal hash whatever their order.
 */
export function ruleSetContentHash(files: readonly RuleSetFile[]): string {
  const h = createHash("sha256");
  const head = Buffer.alloc(8);
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const path = Buffer.from(f.path, "utf8");
    head.writeUInt32BE(path.length, 0);
    h.update(head.subarray(0, 4));
    h.update(path);
    const content = Buffer.from(f.text, "latin1");
    head.writeBigUInt64BE(BigInt(content.length), 0);
    h.update(head);
    h.update(content);
  }
  return h.digest("hex");
}

/** One rule of a rule set as operators look it up (every paranoia level, before any exclusion). */
export interface RuleInfo {
  readonly id: number;
  readonly phase: number;
  /** The rule's `msg` as written (macros unexpanded), "" when it has none. */
  readonly msg: string;
  readonly tags: readonly string[];
  /** `severity` as written (`CRITICAL`, `2`), or null. */
  readonly severity: string | null;
  /** From the `paranoia-level/N` tag, or null. */
  readonly paranoiaLevel: number | null;
  readonly file: string;
  readonly line: number;
}

interface Parsed {
  readonly path: string;
  readonly directives: readonly Directive[];
}

/**
 * A rule set's files, checked against the layout and parsed once (so a process that compiles it
 * for several policies, or again for a later config version, parses it once per content hash).
 * Immutable.
 */
export class ParsedRuleSet {
  /** {@link ruleSetContentHash} of the files. */
  readonly contentHash: string;
  /** Total bytes of the files. */
  readonly bytes: number;
  /** CRS version from `SecComponentSignature "OWASP_CRS/x.y.z"`, or undefined. */
  readonly crsVersion: string | undefined;
  readonly #data: ReadonlyMap<string, string>;
  readonly #engine: readonly Directive[];
  readonly #setup: readonly Directive[];
  readonly #rules: readonly Parsed[];
  #catalog: readonly RuleInfo[] | undefined;

  private constructor(files: readonly RuleSetFile[]) {
    const seen = new Set<string>();
    const byRole = {
      engine: [] as RuleSetFile[],
      setup: [] as RuleSetFile[],
      rules: [] as RuleSetFile[],
      extra: [] as RuleSetFile[],
    };
    const data = new Map<string, string>();
    let bytes = 0;
    for (const f of files) {
      const role = LAYOUT.find((l) => l.pattern.test(f.path))?.role;
      if (role === undefined)
        throw new WafError("WAF_OPTIONS", `${f.path}: ${ruleSetPathProblem(f.path)}`, {
          loc: { file: f.path, line: 0 },
        });
      if (seen.has(f.path))
        throw new WafError("WAF_OPTIONS", `${f.path}: listed twice`, { loc: { file: f.path, line: 0 } });
      seen.add(f.path);
      bytes += f.text.length;
      if (role === "data") data.set(f.path, f.text);
      else byRole[role].push(f);
    }
    if (byRole.setup.length > 1)
      throw new WafError("WAF_OPTIONS", "give crs-setup.conf or crs-setup.conf.example, not both", {
        loc: { file: "crs-setup.conf", line: 0 },
      });
    if (byRole.rules.length === 0)
      throw new WafError("WAF_OPTIONS", "a rule set needs rules/*.conf", { loc: { file: "rules/", line: 0 } });
    const byName = (a: RuleSetFile, b: RuleSetFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    const parse = (f: RuleSetFile): Parsed => ({ path: f.path, directives: parseSecLang(f.text, f.path) });
    this.#engine = byRole.engine.flatMap((f) => parse(f).directives);
    this.#setup = byRole.setup.flatMap((f) => parse(f).directives);
    this.#rules = [...byRole.rules.sort(byName), ...byRole.extra.sort(byName)].map(parse);
    this.#data = data;
    this.bytes = bytes;
    this.contentHash = ruleSetContentHash(files);
    let version: string | undefined;
    for (const d of [...this.#setup, ...this.#rules.flatMap((p) => p.directives)])
      if (d.kind === "componentSignature") {
        const m = /^OWASP_CRS\/([0-9][0-9A-Za-z.-]*)$/.exec(d.value);
        if (m) version = m[1];
      }
    this.crsVersion = version;
  }

  /**
   * Checks the files against the layout ({@link ruleSetPathProblem}) and parses every
   * configuration file.
   * @throws WafError WAF_OPTIONS for a path outside the layout, a path given twice, two setup
   *   files or no `rules/*.conf` (`file` is the path at fault, line 0); a SECLANG_* error with the
   *   file and line of the first directive that does not parse
   */
  static parse(files: readonly RuleSetFile[]): ParsedRuleSet {
    return new ParsedRuleSet(files);
  }

  /** Every rule with an id (chain starters), by id: what an operator can exclude or look up. */
  rules(): readonly RuleInfo[] {
    if (this.#catalog) return this.#catalog;
    const out: RuleInfo[] = [];
    for (const d of [...this.#engine, ...this.#setup, ...this.#rules.flatMap((p) => p.directives)]) {
      if (d.kind !== "rule" && d.kind !== "action") continue;
      const value = (name: string) => d.actions.find((a) => a.name === name)?.value;
      const id = Number(value("id"));
      if (!Number.isInteger(id) || value("id") === undefined) continue;
      const tags = d.actions.filter((a) => a.name === "tag" && a.value !== undefined).map((a) => a.value!);
      const pl = tags.map((t) => /^paranoia-level\/([1-4])$/.exec(t)).find((m) => m !== null);
      const phase = value("phase");
      out.push({
        id,
        phase: phase === "request" ? 2 : phase === "response" ? 4 : phase === "logging" ? 5 : Number(phase ?? 2),
        msg: value("msg") ?? "",
        tags,
        severity: value("severity") ?? null,
        paranoiaLevel: pl ? Number(pl[1]) : null,
        file: d.loc.file,
        line: d.loc.line,
      });
    }
    this.#catalog = Object.freeze(out.sort((a, b) => a.id - b.id));
    return this.#catalog;
  }

  /**
   * Compiles the rule set for a `waf` policy: the engine configuration, the policy's setup,
   * crs-setup, `rules/`, `extra/`, then the policy's exclusions (see {@link LAYOUT}); data files
   * from the rule set's own `rules/*.data`. Rules above the detection paranoia level are dropped
   * at compile time, as {@link compileWaf} does.
   * @throws WafError WAF_OPTIONS naming the option at fault; a SECLANG_* error with the file (a
   *   rule set path, `policy-setup.conf` or `policy-exclusions.conf`), line and rule id
   */
  compile(options: WafPolicyOptions = {}): CompiledRuleSet {
    const { setup, exclusions } = policySecLang(options);
    const directives: Directive[] = [
      ...this.#engine,
      ...parseSecLang(setup, "policy-setup.conf"),
      ...this.#setup,
      ...this.#rules.flatMap((p) => p.directives),
      ...parseSecLang(exclusions, "policy-exclusions.conf"),
    ];
    const data = this.#data;
    return compileDirectives(directives, {
      readFile: (path) => {
        const text = data.get(posix.normalize(path));
        if (text === undefined) throw new Error(`${path} is not a file of the rule set`);
        return text;
      },
      detectionParanoiaLevel: options.detectionParanoiaLevel ?? options.paranoiaLevel ?? 1,
    });
  }
}

/**
 * Reads a CRS v4 directory as rule set files: `palisade-engine.conf` when present,
 * `crs-setup.conf` (or `crs-setup.conf.example`), `rules/*.conf` (not the `*.conf.example`
 * exclusion templates), `rules/*.data`, and `extra/*.conf` when present. Everything else (README,
 * LICENSE, tests) is left out.
 * @throws Error when the directory has no `rules` folder
 */
export function ruleSetFilesFromDir(dir: string): RuleSetFile[] {
  const names = readdirSync(dir);
  const out: RuleSetFile[] = [];
  const add = (rel: string) => out.push({ path: rel, text: readByteFile(join(dir, ...rel.split("/"))) });
  if (names.includes(ENGINE_CONF_PATH)) add(ENGINE_CONF_PATH);
  add(names.includes("crs-setup.conf") ? "crs-setup.conf" : "crs-setup.conf.example");
  for (const n of readdirSync(join(dir, "rules")).sort())
    if (n.endsWith(".conf") || n.endsWith(".data")) add(`rules/${n}`);
  if (existsSync(join(dir, "extra")))
    for (const n of readdirSync(join(dir, "extra")).sort()) if (n.endsWith(".conf")) add(`extra/${n}`);
  return out;
}

let bundled: readonly RuleSetFile[] | undefined;

/**
 * The rule set this package ships: Palisade's engine configuration (`rules/palisade-engine.conf`
 * → `palisade-engine.conf`), the vendored CRS (`third_party/coreruleset`: setup example, rules,
 * data files), and Palisade's own other `rules/*.conf` as `extra/`. Read once per process.
 */
export function bundledRuleSetFiles(): readonly RuleSetFile[] {
  if (bundled) return bundled;
  const extra = palisadeRuleSources().map((r) => ({ path: `extra/${basename(r.file)}`, text: r.text }));
  bundled = Object.freeze([
    { path: ENGINE_CONF_PATH, text: readByteFile(ENGINE_CONF) },
    ...ruleSetFilesFromDir(VENDORED_CRS_DIR),
    ...extra,
  ]);
  return bundled;
}
