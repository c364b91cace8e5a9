/**
 * ECS documents as JSON text: ASCII only (every character above U+007E as a `\uXXXX` escape,
 * so the text is the same in any charset, has no raw newline, and a syslog MSG made of it needs
 * no BOM, RFC 5424 §6.4), and bounded in size: a document over the limit is shortened step by
 * step (long strings cut, WAF rule lists cut, quoted data dropped) and marked
 * `palisade.truncated: true`, so a receiver never gets a cut, unparsable JSON.
 */
import type { EcsSecurityEvent } from "./ecs.js";

// U+007F and above (including lone surrogates) become \uXXXX.
const NON_ASCII = /[\u007f-\uffff]/g;
const HAS_NON_ASCII = /[\u007f-\uffff]/;

function escapeNonAscii(json: string): string {
  return json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** JSON text of a value, ASCII only (see the module comment). */
export function asciiJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Most events are ASCII already: one regex test (5x a charCodeAt loop) decides.
  return HAS_NON_ASCII.test(json) ? escapeNonAscii(json) : json;
}

function cut(s: string | undefined, n: number): string | undefined {
  if (s === undefined || s.length <= n) return s;
  return `${s.slice(0, n)}...`;
}

function cutAll(xs: string[], n: number): string[] {
  return xs.map((x) => cut(x, n) ?? x);
}

type Step = (d: EcsSecurityEvent) => void;

function shortenText(n: number): Step {
  return (d) => {
    d.message = cut(d.message, n) ?? "";
    if (d.url) {
      d.url.path = cut(d.url.path, n);
      d.url.query = cut(d.url.query, n);
    }
    if (d.rule) d.rule.name = cut(d.rule.name, n);
    const p = d.palisade;
    if (p.waf) {
      p.waf.rule_messages = cutAll(p.waf.rule_messages, n);
      p.waf.logdata = cutAll(p.waf.logdata, n);
      p.waf.matched_vars = cutAll(p.waf.matched_vars, n);
    }
    if (p.anomaly) p.anomaly.explanation = cut(p.anomaly.explanation, n) ?? "";
    if (p.decision) p.decision.explanation = cut(p.decision.explanation, n) ?? "";
    if (p.config?.detail !== undefined) p.config.detail = cut(p.config.detail, n);
    if (p.siem?.detail !== undefined) p.siem.detail = cut(p.siem.detail, n);
  };
}

const STEPS: Step[] = [
  shortenText(512),
  (d) => {
    const w = d.palisade.waf;
    if (!w) return;
    const k = 10;
    w.rule_ids = w.rule_ids.slice(0, k);
    w.rule_messages = w.rule_messages.slice(0, k);
    w.rule_severities = w.rule_severities.slice(0, k);
    w.logdata = w.logdata.slice(0, k);
    w.tags = w.tags.slice(0, 20);
    w.matched_vars = w.matched_vars.slice(0, 20);
  },
  shortenText(128),
  (d) => {
    if (d.palisade.waf) d.palisade.waf.logdata = [];
    if (d.url) delete d.url.query;
  },
  (d) => {
    if (d.palisade.waf) {
      d.palisade.waf.rule_messages = [];
      d.palisade.waf.matched_vars = [];
      d.palisade.waf.tags = d.palisade.waf.tags.slice(0, 5);
    }
  },
  shortenText(32),
];

/**
 * The document as ASCII JSON of at most `maxBytes` bytes when it can be shortened that far
 * (the identity fields — time, event, observer, labels, source, rule id — are never cut).
 * @param maxBytes limit in bytes (= characters, the text is ASCII); default no limit
 */
export function ecsJson(doc: EcsSecurityEvent, maxBytes = Number.POSITIVE_INFINITY): string {
  let json = asciiJson(doc);
  if (json.length <= maxBytes) return json;
  const d = structuredClone(doc);
  d.palisade.truncated = true;
  for (const step of STEPS) {
    step(d);
    json = asciiJson(d);
    if (json.length <= maxBytes) return json;
  }
  return json;
}
