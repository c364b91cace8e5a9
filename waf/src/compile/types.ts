import type { SourceLocation } from "../errors.js";
import type { Operator } from "../operators/operator.js";
import type { LinearRegex } from "../regex/linear-regex.js";
import type { IdRange } from "../seclang/directives.js";
import type { Transformation } from "../transformations/transformation.js";
import type { Macro } from "./macro.js";

/** ModSecurity's five phases: request headers, request body, response headers, response body, logging. */
export type Phase = 1 | 2 | 3 | 4 | 5;

/** A key selector of a target or exclusion: a lower-cased key, or a regular expression on the key. */
export type KeySelector =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "regex"; readonly regex: LinearRegex };

/** One compiled target of a rule (`ARGS`, `REQUEST_HEADERS:user-agent`, `&TX:score`, `XML:/*`). */
export interface CompiledTarget {
  /** Upper-cased variable name. */
  readonly variable: string;
  /** `&`: the rule sees the number of selected values instead of the values. */
  readonly count: boolean;
  readonly selector: KeySelector | null;
  /** For XML: the XPath as written (`/*` or `//@*`). */
  readonly xpath: string | null;
  /**
   * Identifies what the target selects, its link's exclusions of the same variable included:
   * rules with equal keys see the same values, so a transaction selects them once.
   */
  readonly selectKey: string;
  /** selectKey and the link's transformation chain: the values' literal hits are the same for equal keys. */
  readonly unionKey: string;
  /**
   * The variable's values change while a phase runs (TX, MATCHED_VARS, collections, …): never
   * kept between rules.
   */
  readonly dynamic: boolean;
  /** Index of selectKey among the rule set's selections (set by CompiledRuleSet). */
  readonly selId: number;
}

/** An exclusion (`!ARGS:foo`, `ctl:ruleRemoveTargetById=…;ARGS:foo`): values it selects are skipped. */
export interface TargetExclusion {
  readonly variable: string;
  /** null excludes the whole variable. */
  readonly selector: KeySelector | null;
}

/** setvar's forms (reference manual, "setvar"). */
export type SetVarOp = "set" | "add" | "sub" | "delete";

/** A non-disruptive action run for each match of the rule, in the order written. */
export type Effect =
  | {
      readonly kind: "setvar";
      /** Lower-cased collection name (`tx`, `ip`, `global`, …). */
      readonly collection: string;
      readonly key: Macro;
      readonly op: SetVarOp;
      readonly value: Macro;
    }
  | { readonly kind: "expirevar"; readonly collection: string; readonly key: Macro; readonly seconds: Macro }
  | { readonly kind: "initcol"; readonly collection: string; readonly key: Macro }
  | { readonly kind: "ctl"; readonly ctl: Ctl };

/** The `ctl:` forms the engine applies to the rest of the transaction. */
export type Ctl =
  | { readonly kind: "ruleRemoveById"; readonly ranges: readonly IdRange[] }
  | { readonly kind: "ruleRemoveByTag" | "ruleRemoveByMsg"; readonly value: string }
  | { readonly kind: "ruleRemoveTargetById"; readonly ranges: readonly IdRange[]; readonly exclusion: TargetExclusion }
  | {
      readonly kind: "ruleRemoveTargetByTag" | "ruleRemoveTargetByMsg";
      readonly value: string;
      readonly exclusion: TargetExclusion;
    }
  | { readonly kind: "ruleEngine"; readonly mode: RuleEngineMode }
  | { readonly kind: "requestBodyProcessor"; readonly processor: BodyProcessorName }
  | { readonly kind: "requestBodyAccess" | "forceRequestBodyVariable" | "responseBodyAccess"; readonly on: boolean }
  | { readonly kind: "ignored"; readonly name: string };

/** The ctl forms that take a target away from some rules (ctl:ruleRemoveTargetById/ByTag/ByMsg). */
export type TargetRemovalCtl = Extract<Ctl, { readonly exclusion: TargetExclusion }>;

export type RuleEngineMode = "On" | "Off" | "DetectionOnly";
export type BodyProcessorName = "URLENCODED" | "MULTIPART" | "XML" | "JSON";

/** A rule's disruptive action after SecDefaultAction is applied (`block` resolved to the phase default). */
export interface Disruptive {
  readonly kind: "pass" | "deny" | "drop" | "redirect" | "allow";
  /** Written as `block`: the phase's default disruptive action. */
  readonly block: boolean;
  /** allow's scope: the whole transaction, the current phase, or the request phases. */
  readonly allowScope: "all" | "phase" | "request";
}

/**
 * One compiled rule (a link of a chain, or a whole rule). The chain starter carries the id,
 * metadata, flow and disruptive action; every link has its targets, transformations, operator
 * and per-match effects.
 */
export interface CompiledRule {
  /** The rule id (of the chain starter, for every link of a chain). */
  readonly id: number;
  readonly phase: Phase;
  readonly loc: SourceLocation;
  readonly targets: readonly CompiledTarget[];
  readonly exclusions: readonly TargetExclusion[];
  readonly operator: Operator;
  readonly negated: boolean;
  /** The argument as written (for logs). */
  readonly operatorArgument: string;
  readonly transforms: readonly Transformation[];
  /** Identifies the transformation chain for the per-transaction cache ("" for none). */
  readonly transformKey: string;
  /** The chain's node in the process-wide chain trie (0 for none; see transformations/chain-trie.ts). */
  readonly chainNode: number;
  /** The nodes of the chain's prefixes, from 0 (no step) to chainNode: what multiMatch tries in order. */
  readonly chainPath: readonly number[];
  /**
   * For a link whose operator has a prefilter and whose targets are all fixed within a phase
   * (no TX, no `&` count): the index of its (targets, chain) signature in the rule set, whose
   * values' union of literal scans a transaction computes once for every rule of that signature;
   * -1 otherwise (set by CompiledRuleSet).
   */
  readonly sigId: number;
  readonly multiMatch: boolean;
  readonly capture: boolean;
  readonly effects: readonly Effect[];
  readonly chain: CompiledRule | null;
  // Chain starter only:
  readonly disruptive: Disruptive;
  readonly status: number | null;
  readonly redirectUrl: Macro | null;
  readonly skip: number;
  readonly skipAfter: string | null;
  readonly log: boolean;
  readonly auditlog: boolean;
  readonly msg: Macro | null;
  readonly logdata: Macro | null;
  readonly tags: readonly string[];
  /** `tags` lower-cased (ctl:ruleRemoveByTag and friends compare case-insensitively). */
  readonly tagSet: ReadonlySet<string>;
  readonly severity: number | null;
  readonly ver: string | null;
  readonly rev: string | null;
  readonly maturity: number | null;
  readonly accuracy: number | null;
  /** From the `paranoia-level/N` tag, else null. */
  readonly paranoiaLevel: number | null;
}

/** A phase's rules in order, with skipAfter targets resolved to indices. */
export interface CompiledPhase {
  readonly rules: readonly CompiledRule[];
  /** For each rule index: where `skipAfter` continues (index of the next rule to run), or -1. */
  readonly skipAfterIndex: Int32Array;
}

/** Engine settings from SecRuleEngine, SecRequestBodyAccess, body limits and the like. */
export interface EngineSettings {
  readonly ruleEngine: RuleEngineMode;
  readonly requestBodyAccess: boolean;
  readonly responseBodyAccess: boolean;
  /** SecRequestBodyLimit, bytes. */
  readonly requestBodyLimit: number;
  /** SecRequestBodyNoFilesLimit, bytes (the body without file parts). */
  readonly requestBodyNoFilesLimit: number;
  readonly requestBodyLimitAction: "Reject" | "ProcessPartial";
  /** SecRequestBodyJsonDepthLimit. */
  readonly requestBodyJsonDepthLimit: number;
  /** SecArgumentsLimit. */
  readonly argumentsLimit: number;
  /** SecResponseBodyLimit, bytes. */
  readonly responseBodyLimit: number;
  readonly responseBodyLimitAction: "Reject" | "ProcessPartial";
  /** SecResponseBodyMimeType: lower-cased media types whose bodies are inspected. */
  readonly responseBodyMimeTypes: readonly string[];
  /** SecUploadFileLimit. */
  readonly uploadFileLimit: number;
  /** SecCollectionTimeout, seconds: TTL of initcol collections. */
  readonly collectionTimeout: number;
}
