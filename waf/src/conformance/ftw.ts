import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** One stage's input, as go-ftw's YAML schema writes it (the fields CRS's suite uses). */
export interface FtwInput {
  readonly dest_addr?: string;
  readonly port?: number;
  readonly method?: string;
  readonly uri?: string;
  readonly version?: string;
  readonly headers?: Record<string, string | number>;
  readonly data?: string | string[];
  /** A whole raw request, base64. */
  readonly encoded_request?: string;
  /** Add Content-Length when the test has data and none (go-ftw's default: true). */
  readonly autocomplete_headers?: boolean;
}

/** One stage's expected output (go-ftw's schema). */
export interface FtwOutput {
  readonly status?: number | number[];
  readonly expect_error?: boolean;
  readonly log?: {
    readonly expect_ids?: number[];
    readonly no_expect_ids?: number[];
    readonly match_regex?: string;
    readonly no_match_regex?: string;
  };
  readonly log_contains?: string;
  readonly no_log_contains?: string;
  readonly response_contains?: string;
}

/** A test: its id (`<rule_id>-<test_id>`), description and stages. */
export interface FtwTest {
  readonly id: string;
  readonly ruleId: number;
  readonly testId: number;
  readonly file: string;
  readonly desc: string;
  readonly stages: ReadonlyArray<{ readonly input: FtwInput; readonly output: FtwOutput }>;
}

/**
 * Loads every go-ftw test under `dir` (`**\/*.yaml` and `*.yml`, sorted by path). Files whose
 * YAML holds no document (CRS keeps a commented-out placeholder) are skipped.
 */
export function loadFtwTests(dir: string): FtwTest[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".yaml") || name.endsWith(".yml")) files.push(p);
    }
  };
  walk(dir);
  const out: FtwTest[] = [];
  for (const file of files) {
    const doc = parse(readFileSync(file, "utf8")) as {
      rule_id?: number;
      tests?: Array<{
        test_id: number;
        desc?: string;
        stages: Array<{ input: FtwInput; output: FtwOutput } | { stage: { input: FtwInput; output: FtwOutput } }>;
      }>;
    } | null;
    if (!doc?.tests) continue;
    for (const t of doc.tests) {
      const ruleId = Number(doc.rule_id);
      out.push({
        id: `${ruleId}-${t.test_id}`,
        ruleId,
        testId: t.test_id,
        file,
        desc: t.desc ?? "",
        stages: t.stages.map((s) => ("stage" in s ? s.stage : s)),
      });
    }
  }
  return out;
}
