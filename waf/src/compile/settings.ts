import { WafError } from "../errors.js";
import type { Directive } from "../seclang/directives.js";
import type { EngineSettings, RuleEngineMode } from "./types.js";

/**
 * ModSecurity's defaults where a rule set says nothing, except SecRuleEngine (On: a rule set is
 * compiled to be enforced; detection-only is the policy's mode) and the body limits, which
 * follow ModSecurity's recommended configuration (modsecurity.conf-recommended).
 */
export const DEFAULT_SETTINGS: EngineSettings = {
  ruleEngine: "On",
  requestBodyAccess: true,
  responseBodyAccess: false,
  requestBodyLimit: 13_107_200,
  requestBodyNoFilesLimit: 131_072,
  requestBodyLimitAction: "Reject",
  requestBodyJsonDepthLimit: 512,
  argumentsLimit: 1000,
  responseBodyLimit: 524_288,
  responseBodyLimitAction: "ProcessPartial",
  responseBodyMimeTypes: ["text/plain", "text/html"],
  uploadFileLimit: 100,
  collectionTimeout: 3600,
};

/** Applies setting directives in order over `base`. @throws WafError SECLANG_BAD_ARGUMENT. */
export function compileSettings(directives: readonly Directive[], base: EngineSettings): EngineSettings {
  const s: { -readonly [K in keyof EngineSettings]: EngineSettings[K] } = { ...base };
  for (const d of directives) {
    if (d.kind !== "setting") continue;
    const v = d.args[0] ?? "";
    const bad = (): never => {
      throw new WafError("SECLANG_BAD_ARGUMENT", `${d.name}: bad value "${d.args.join(" ")}"`, { loc: d.loc });
    };
    const onOff = () => (/^on$/i.test(v) ? true : /^off$/i.test(v) ? false : bad());
    const bytes = () => (/^\d+$/.test(v) ? Number(v) : bad());
    const limitAction = () => (/^reject$/i.test(v) ? "Reject" : /^processpartial$/i.test(v) ? "ProcessPartial" : bad());
    switch (d.name) {
      case "ruleEngine": {
        const modes: Record<string, RuleEngineMode> = { on: "On", off: "Off", detectiononly: "DetectionOnly" };
        s.ruleEngine = modes[v.toLowerCase()] ?? bad();
        break;
      }
      case "requestBodyAccess":
        s.requestBodyAccess = onOff();
        break;
      case "responseBodyAccess":
        s.responseBodyAccess = onOff();
        break;
      case "requestBodyLimit":
        s.requestBodyLimit = bytes();
        break;
      case "requestBodyNoFilesLimit":
        s.requestBodyNoFilesLimit = bytes();
        break;
      case "requestBodyLimitAction":
        s.requestBodyLimitAction = limitAction();
        break;
      case "requestBodyJsonDepthLimit":
        s.requestBodyJsonDepthLimit = bytes();
        break;
      case "argumentsLimit":
        s.argumentsLimit = bytes();
        break;
      case "responseBodyLimit":
        s.responseBodyLimit = bytes();
        break;
      case "responseBodyLimitAction":
        s.responseBodyLimitAction = limitAction();
        break;
      case "responseBodyMimeType":
        s.responseBodyMimeTypes = [...s.responseBodyMimeTypes, ...d.args.map((a) => a.toLowerCase())];
        break;
      case "responseBodyMimeTypesClear":
        s.responseBodyMimeTypes = [];
        break;
      case "argumentSeparator":
        if (v !== "&") bad();
        break;
      case "uploadFileLimit":
        s.uploadFileLimit = bytes();
        break;
      case "collectionTimeout":
        s.collectionTimeout = bytes();
        break;
    }
  }
  return s;
}
