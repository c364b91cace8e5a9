import { crsSources, ENGINE_CONF, palisadeRuleSources, readByteFile, VENDORED_CRS_DIR } from "../crs.js";
import { type CompileOptions, compileRuleSet, type RuleSource } from "./compiler.js";
import { policySecLang, type WafPolicyOptions } from "./policy.js";
import type { CompiledRuleSet } from "./rule-set.js";

/** Where a `waf` policy's rules come from. */
export interface WafRuleSources {
  /** A CRS v4 directory (default: the vendored CRS v4.28.0). */
  readonly crsDir?: string;
  /** Extra SecLang loaded after CRS and Palisade's own rules, before the policy's exclusions. */
  readonly extra?: readonly RuleSource[];
}

/**
 * Compiles CRS for a `waf` policy: Palisade's engine configuration, the policy's setup (paranoia
 * levels, thresholds, CRS setup variables, body limits, mode), crs-setup.conf.example, CRS's
 * rules, Palisade's own rules (`rules/palisade-rules.conf`), `extra` rules, then the policy's
 * exclusions. Rules above the detection paranoia level are
 * dropped at compile time (CRS's own gates would skip them). Compiled operators are shared with
 * every other rule set of the process, so a second policy costs only its rule structure.
 * @throws WafError WAF_OPTIONS for a bad option, or a SECLANG_* error with file, line and rule id.
 */
export function compileWaf(options: WafPolicyOptions = {}, sources: WafRuleSources = {}): CompiledRuleSet {
  const { setup, exclusions } = policySecLang(options);
  const compile: CompileOptions = {
    readFile: readByteFile,
    detectionParanoiaLevel: options.detectionParanoiaLevel ?? options.paranoiaLevel ?? 1,
  };
  return compileRuleSet(
    [
      { file: ENGINE_CONF, text: readByteFile(ENGINE_CONF) },
      { file: "policy-setup.conf", text: setup },
      ...crsSources(sources.crsDir ?? VENDORED_CRS_DIR),
      ...palisadeRuleSources(),
      ...(sources.extra ?? []),
      { file: "policy-exclusions.conf", text: exclusions },
    ],
    compile,
  );
}
