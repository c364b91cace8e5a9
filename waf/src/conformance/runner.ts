import type { ByteString } from "../bytes.js";
import type { CompiledRuleSet } from "../compile/rule-set.js";
import type { Header } from "../engine/input.js";
import type { MatchedRule } from "../engine/results.js";
import type { TransactionOptions } from "../engine/transaction.js";
import type { FtwInput, FtwOutput, FtwTest } from "./ftw.js";
import { decodeRequest, type RefusalHook, rawRequest } from "./raw-request.js";

/** The outcome of one test. */
export interface TestOutcome {
  readonly id: string;
  readonly passed: boolean;
  /** Why it failed (first failing check), or "" when it passed. */
  readonly reason: string;
  /** The request was refused before the WAF (status), or null. */
  readonly refused: number | null;
  /** Rule ids that matched (logged), across stages. */
  readonly matchedIds: readonly number[];
  /** Every matched value across stages, as `id variable=value`. */
  readonly matchedValues: readonly string[];
}

const SEVERITY_NAMES = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

/** One log line per matched rule, in ModSecurity's error-log format (what go-ftw's regexes read). */
export function logLines(rules: readonly MatchedRule[]): string[] {
  return rules.map((r) => {
    const tags = r.tags.map((t) => ` [tag "${t}"]`).join("");
    const sev = r.severity === null ? "" : ` [severity "${SEVERITY_NAMES[r.severity]}"]`;
    const where = r.matches[0] ? ` against "${r.matches[0].name}"` : "";
    return `ModSecurity: Warning. Matched${where} [id "${r.id}"] [msg "${logEscape(r.msg)}"] [data "${logEscape(r.logdata)}"]${sev} [ver "${r.ver ?? ""}"]${tags}`;
  });
}

/** Control bytes and `"` escaped as ModSecurity's error log writes them (`\x0d`, `\"`). */
function logEscape(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is escaped
  return s.replace(/[\x00-\x1f\x7f-\xff"\\]/g, (c) =>
    c === '"' || c === "\\" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/**
 * The backend CRS's suite runs behind (albedo): `/reflect` answers the status, headers and body
 * of the JSON request body (`{"status":…, "headers":{…}, "body":"…", "encodedBody":"base64"}`);
 * anything else answers 200 with an empty text/plain body.
 */
export function backendResponse(
  target: ByteString,
  body: ByteString,
): { status: number; headers: Header[]; body: ByteString } {
  const path = target.split("?")[0];
  if (path === "/reflect") {
    try {
      const spec = JSON.parse(Buffer.from(body, "latin1").toString("utf8")) as {
        status?: number;
        headers?: Record<string, string>;
        body?: string;
        encodedBody?: string;
      };
      const headers: Header[] = Object.entries(spec.headers ?? {}).map(([k, v]) => [k, String(v)]);
      if (!headers.some(([k]) => k.toLowerCase() === "content-type")) headers.push(["Content-Type", "text/plain"]);
      const out =
        spec.encodedBody !== undefined
          ? Buffer.from(spec.encodedBody, "base64").toString("latin1")
          : Buffer.from(spec.body ?? "", "utf8").toString("latin1");
      return { status: spec.status ?? 200, headers, body: out };
    } catch {
      // Not JSON: albedo answers the default.
    }
  }
  return { status: 200, headers: [["Content-Type", "text/plain"]], body: "" };
}

/** Runs one stage through the engine; the outcome's checks against `output`. */
function runStage(
  rs: CompiledRuleSet,
  input: FtwInput,
  output: FtwOutput,
  refusal: RefusalHook,
  txOptions: TransactionOptions,
): { ok: boolean; reason: string; refused: number | null; matched: MatchedRule[] } {
  const raw = rawRequest(input);
  const hooked = refusal(raw);
  const decoded = decodeRequest(raw);
  const refused = hooked ?? ("refused" in decoded ? decoded.refused : null);
  const expected = output.status === undefined ? [] : Array.isArray(output.status) ? output.status : [output.status];
  if (refused !== null) {
    // Refused before the WAF: passes only where the test expects a 400-class answer or an error.
    const ok = output.expect_error === true || expected.some((s) => s >= 400 && s < 500);
    return { ok, reason: ok ? "" : `refused with ${refused} before the WAF`, refused, matched: [] };
  }
  if ("refused" in decoded) throw new Error("unreachable");
  const tx = rs.newTransaction(
    {
      method: decoded.method,
      target: decoded.target,
      protocol: decoded.protocol,
      headers: decoded.headers,
      remoteAddress: "127.0.0.1",
      remotePort: 40000,
      serverAddress: input.dest_addr ?? "127.0.0.1",
      serverPort: input.port ?? 80,
    },
    txOptions,
  );
  let stop = tx.processRequestHeaders() ?? tx.processRequestBody(decoded.body);
  let status = 200;
  if (!stop) {
    const resp = backendResponse(decoded.target, decoded.body);
    status = resp.status;
    stop =
      tx.processResponseHeaders({ status: resp.status, headers: resp.headers }) ?? tx.processResponseBody(resp.body);
  }
  tx.processLogging();
  if (stop) status = stop.status;
  if (tx.error)
    return { ok: false, reason: `engine error: ${tx.error.message}`, refused: null, matched: tx.matchedRules };
  const ids = new Set(tx.matchedRules.map((r) => r.id));
  const log = logLines(tx.matchedRules).join("\n");
  const fail = (reason: string) => ({ ok: false, reason, refused: null, matched: tx.matchedRules });
  if (output.expect_error === true && !stop) return fail("expected the request to fail");
  if (expected.length > 0 && !expected.includes(status))
    return fail(`status ${status}, expected ${expected.join("|")}`);
  for (const id of output.log?.expect_ids ?? []) if (!ids.has(id)) return fail(`rule ${id} did not match`);
  for (const id of output.log?.no_expect_ids ?? []) if (ids.has(id)) return fail(`rule ${id} matched`);
  const must = [output.log?.match_regex, output.log_contains].filter((r): r is string => r !== undefined);
  const mustNot = [output.log?.no_match_regex, output.no_log_contains].filter((r): r is string => r !== undefined);
  for (const r of must) if (!new RegExp(r).test(log)) return fail(`log does not match /${r}/`);
  for (const r of mustNot) if (new RegExp(r).test(log)) return fail(`log matches /${r}/`);
  return { ok: true, reason: "", refused: null, matched: tx.matchedRules };
}

/**
 * Runs CRS regression tests in-process against a compiled rule set (configured as CRS's CI
 * configures its engines: see conformance/crs-test-setup.conf). A test passes when every stage
 * passes go-ftw's checks (expect_ids, no_expect_ids, log regexes, status, expect_error). A
 * request the refusal hook (or the runner's decoder) refuses counts as passed only where the test
 * expects a 400-class status or an error. `txOptions` go to every transaction (tests compare the
 * default evaluation with the reference one).
 */
export function runFtwTest(
  rs: CompiledRuleSet,
  test: FtwTest,
  refusal: RefusalHook = () => null,
  txOptions: TransactionOptions = {},
): TestOutcome {
  const matchedIds: number[] = [];
  const matchedValues: string[] = [];
  let refused: number | null = null;
  for (const stage of test.stages) {
    const r = runStage(rs, stage.input, stage.output, refusal, txOptions);
    for (const m of r.matched) {
      matchedIds.push(m.id);
      for (const v of m.matches) matchedValues.push(`${m.id} ${v.name}=${v.value}`);
    }
    refused ??= r.refused;
    if (!r.ok) return { id: test.id, passed: false, reason: r.reason, refused, matchedIds, matchedValues };
  }
  return { id: test.id, passed: true, reason: "", refused, matchedIds, matchedValues };
}
