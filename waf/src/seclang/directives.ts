import type { SourceLocation } from "../errors.js";
import type { ActionSpec } from "./action-list.js";
import type { TargetSpec } from "./target-list.js";

/** A rule's operator as written: `"!@rx foo"` is `{ name: "rx", negated: true, argument: "foo" }`. */
export interface OperatorSpec {
  /** Lower-cased operator name without `@`. A string without `@` is `rx` (reference manual, "Operators"). */
  readonly name: string;
  readonly negated: boolean;
  readonly argument: string;
}

/** An inclusive range of rule ids, as `SecRuleRemoveById 1-99 200` writes them. */
export type IdRange = readonly [low: number, high: number];

/** The engine settings Palisade applies (all others are accepted and ignored, see IGNORED_DIRECTIVES). */
export type SettingName =
  | "ruleEngine"
  | "requestBodyAccess"
  | "responseBodyAccess"
  | "requestBodyLimit"
  | "requestBodyNoFilesLimit"
  | "requestBodyLimitAction"
  | "requestBodyJsonDepthLimit"
  | "argumentsLimit"
  | "responseBodyLimit"
  | "responseBodyLimitAction"
  | "responseBodyMimeType"
  | "responseBodyMimeTypesClear"
  | "argumentSeparator"
  | "collectionTimeout"
  | "uploadFileLimit";

/** One parsed directive, with its location. */
export type Directive =
  | {
      readonly kind: "rule";
      readonly loc: SourceLocation;
      readonly targets: readonly TargetSpec[];
      readonly operator: OperatorSpec;
      readonly actions: readonly ActionSpec[];
    }
  | { readonly kind: "action"; readonly loc: SourceLocation; readonly actions: readonly ActionSpec[] }
  | { readonly kind: "marker"; readonly loc: SourceLocation; readonly name: string }
  | { readonly kind: "defaultAction"; readonly loc: SourceLocation; readonly actions: readonly ActionSpec[] }
  | { readonly kind: "componentSignature"; readonly loc: SourceLocation; readonly value: string }
  | { readonly kind: "removeById"; readonly loc: SourceLocation; readonly ranges: readonly IdRange[] }
  | { readonly kind: "removeByTag" | "removeByMsg"; readonly loc: SourceLocation; readonly value: string }
  | {
      readonly kind: "updateTargetById";
      readonly loc: SourceLocation;
      readonly ranges: readonly IdRange[];
      readonly targets: readonly TargetSpec[];
      /** SecRuleUpdateTargetById's optional third argument: the target to replace. */
      readonly replaced: readonly TargetSpec[] | null;
    }
  | {
      readonly kind: "updateTargetByTag" | "updateTargetByMsg";
      readonly loc: SourceLocation;
      readonly value: string;
      readonly targets: readonly TargetSpec[];
      readonly replaced: readonly TargetSpec[] | null;
    }
  | {
      readonly kind: "updateActionById";
      readonly loc: SourceLocation;
      readonly id: number;
      readonly actions: readonly ActionSpec[];
    }
  | {
      readonly kind: "setting";
      readonly loc: SourceLocation;
      readonly name: SettingName;
      readonly args: readonly string[];
    }
  | { readonly kind: "ignored"; readonly loc: SourceLocation; readonly name: string };
