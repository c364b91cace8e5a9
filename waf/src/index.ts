/**
 * @palisade/waf: a SecLang engine that runs the OWASP Core Rule Set. Pure: parse → compile →
 * evaluate, no I/O beyond reading rule files it is pointed at, no knowledge of the proxy.
 * See README.md for the flow, the supported SecLang and the figures.
 */

export type { ParsedBody } from "./body/body-processor.js";
export { type ByteString, byteString, utf8Bytes } from "./bytes.js";
export { type CompileOptions, compileRuleSet, type RuleSource } from "./compile/compiler.js";
export { type PolicySecLang, policySecLang, type WafExclusion, type WafPolicyOptions } from "./compile/policy.js";
export { CompiledRuleSet } from "./compile/rule-set.js";
export {
  bundledRuleSetFiles,
  ENGINE_CONF_PATH,
  ParsedRuleSet,
  type RuleInfo,
  type RuleSetFile,
  ruleSetContentHash,
  ruleSetFilesFromDir,
  ruleSetPathProblem,
} from "./compile/rule-set-files.js";
export type { CompiledRule, EngineSettings, Phase, RuleEngineMode } from "./compile/types.js";
export { compileWaf, type WafRuleSources } from "./compile/waf.js";
export { crsSources, ENGINE_CONF, palisadeRuleSources, readByteFile, VENDORED_CRS_DIR } from "./crs.js";
export type { Header, RequestInput, ResponseInput } from "./engine/input.js";
export type { AnomalyScores, Interruption, MatchedRule, MatchedVar } from "./engine/results.js";
export { Transaction, type TransactionOptions } from "./engine/transaction.js";
export { type SourceLocation, WAF_ERRORS, WafError, type WafErrorCode } from "./errors.js";
export { parseSecLang } from "./seclang/parser.js";
export type { Transformation } from "./transformations/transformation.js";
