/**
 * What the control plane accepts of a node's security event: the ECS document of
 * @palisade/events (`ecsJson(toEcs(...))`), checked field by field before it is stored. The
 * node's own identity (from its client certificate and hello) replaces whatever the document
 * says in `labels.node`, `labels.region` and `observer.name`, so a node can only report for
 * itself. Every free-text field goes through the {@link Redactor} once more: a node redacts
 * before it sends, and a secret that slipped through (an older node, a new field) is still
 * never stored; `redacted` says when that happened.
 */
import { isIP } from "node:net";
import { type EcsSecurityEvent, EVENT_CATEGORIES, type EventCategory, type Redactor } from "@palisade/events";

/** Codes of a refused event (the ACK's `rejected[].code`), one registry. */
export const EVENT_REJECTIONS = {
  EVENT_TOO_LARGE: "the document is over 16 KiB",
  EVENT_MALFORMED: "the document is not an ECS security event (the field is named)",
  EVENT_ID_MISMATCH: "the message's id is not the document's event.id",
  BATCH_TOO_LARGE: "the batch holds more than 500 events or 1 MiB",
} as const;

/** One of {@link EVENT_REJECTIONS}. */
export type EventRejectionCode = keyof typeof EVENT_REJECTIONS;

/** Largest ECS document, bytes (characters: the JSON is ASCII). */
export const MAX_EVENT_BYTES = 16 * 1024;
/** Most events in one batch. */
export const MAX_BATCH_EVENTS = 500;
/** Largest batch, bytes of ECS JSON. */
export const MAX_BATCH_BYTES = 1024 * 1024;

/** An event ready to store: the columns the API filters on and the document. */
export interface AcceptedEvent {
  readonly eventId: string;
  readonly nodeId: string;
  readonly region: string;
  /** `@timestamp`, ms since the epoch. */
  readonly atMs: number;
  readonly category: EventCategory;
  /** `event.action`. */
  readonly action: string;
  /** `event.severity`, 0–7. */
  readonly severity: number;
  readonly route: string | null;
  readonly clientIp: string | null;
  readonly consumer: string | null;
  readonly ruleId: string | null;
  /** The document as stored (JSON). */
  readonly doc: string;
  /** Whether the re-check replaced something the node had not redacted. */
  readonly redacted: boolean;
}

/** A refusal: the code and the document field at fault. */
export interface EventRejection {
  readonly code: EventRejectionCode;
  readonly field: string;
}

const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACTION = /^[a-z0-9_]{1,64}$/;
const CATEGORIES: ReadonlySet<string> = new Set(EVENT_CATEGORIES);

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A bounded optional string: `undefined` (absent), the string, or `null` (present but invalid). */
function str(v: unknown, max: number): string | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === "string" && v.length > 0 && v.length <= max ? v : null;
}

/** Redacts a free-text string field in place; @returns whether it changed. */
function scrub(o: Json | undefined, key: string, fn: (s: string) => string): boolean {
  const v = o?.[key];
  if (typeof v !== "string") return false;
  const r = fn(v);
  if (r === v) return false;
  o![key] = r;
  return true;
}

function scrubList(o: Json | undefined, key: string, fn: (s: string) => string): boolean {
  const v = o?.[key];
  if (!Array.isArray(v)) return false;
  let changed = false;
  for (let i = 0; i < v.length; i++)
    if (typeof v[i] === "string") {
      const r = fn(v[i] as string);
      if (r !== v[i]) {
        v[i] = r;
        changed = true;
      }
    }
  return changed;
}

/** Every field of the schema that may quote request data (events/README.md "Redaction"). */
function rescrub(doc: Json, red: Redactor): boolean {
  const text = (s: string) => red.text(s);
  const p = obj(doc.palisade);
  let changed = scrub(doc, "message", text);
  const url = obj(doc.url);
  changed = scrub(url, "path", text) || changed;
  changed = scrub(url, "query", (q) => red.query(q)) || changed;
  changed = scrub(obj(doc.rule), "name", text) || changed;
  changed = scrub(obj(doc.rule), "description", text) || changed;
  const waf = obj(p?.waf);
  changed = scrubList(waf, "rule_messages", text) || changed;
  changed = scrubList(waf, "logdata", text) || changed;
  changed = scrub(obj(p?.anomaly), "explanation", text) || changed;
  changed = scrub(obj(p?.decision), "explanation", text) || changed;
  changed = scrub(obj(p?.config), "detail", text) || changed;
  changed = scrub(obj(p?.siem), "detail", text) || changed;
  return changed;
}

/**
 * Checks one event of a node's batch and makes the row to store.
 * @param id the message's `id` (must equal the document's `event.id`)
 * @param json the ECS document as the node sent it
 * @param node the sending node, as its certificate and hello prove it
 * @param red the redactor (default names plus the published telemetry config's)
 * @returns the event to store, or why it is refused (resending cannot help)
 */
export function acceptEvent(
  id: string,
  json: string,
  node: { readonly id: string; readonly region: string },
  red: Redactor,
): AcceptedEvent | EventRejection {
  if (json.length > MAX_EVENT_BYTES) return { code: "EVENT_TOO_LARGE", field: "" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { code: "EVENT_MALFORMED", field: "" };
  }
  const doc = obj(parsed);
  if (!doc) return { code: "EVENT_MALFORMED", field: "" };
  const bad = (field: string): EventRejection => ({ code: "EVENT_MALFORMED", field });
  const ev = obj(doc.event);
  if (!ev) return bad("event");
  if (typeof ev.id !== "string" || !EVENT_ID.test(ev.id)) return bad("event.id");
  if (ev.id !== id) return { code: "EVENT_ID_MISMATCH", field: "event.id" };
  const ts = doc["@timestamp"];
  const atMs = typeof ts === "string" && ts.length <= 40 ? Date.parse(ts) : Number.NaN;
  if (!Number.isFinite(atMs)) return bad("@timestamp");
  if (typeof ev.action !== "string" || !ACTION.test(ev.action)) return bad("event.action");
  const severity = ev.severity;
  if (typeof severity !== "number" || !Number.isInteger(severity) || severity < 0 || severity > 7)
    return bad("event.severity");
  const p = obj(doc.palisade);
  const category = p?.category;
  if (typeof category !== "string" || !CATEGORIES.has(category)) return bad("palisade.category");
  const labels = obj(doc.labels) ?? {};
  const route = str(labels.route, 256);
  if (route === null) return bad("labels.route");
  const consumer = str(labels.consumer, 256);
  if (consumer === null) return bad("labels.consumer");
  const source = obj(doc.source);
  const ip = str(source?.ip, 64);
  if (ip === null || (ip !== undefined && isIP(ip) === 0)) return bad("source.ip");
  const rule = obj(doc.rule);
  const ruleId = str(rule?.id, 128);
  if (ruleId === null) return bad("rule.id");
  // Who reported it is what the stream proves, never what the document claims.
  doc.labels = { ...labels, node: node.id, region: node.region };
  const observer = obj(doc.observer);
  if (observer) observer.name = node.id;
  const redacted = rescrub(doc, red);
  return {
    eventId: ev.id,
    nodeId: node.id,
    region: node.region,
    atMs,
    category: category as EventCategory,
    action: ev.action,
    severity,
    route: route ?? null,
    clientIp: ip ?? null,
    consumer: consumer ?? null,
    ruleId: ruleId ?? null,
    doc: JSON.stringify(doc),
    redacted,
  };
}

/** Whether {@link acceptEvent} refused. */
export function isRejection(r: AcceptedEvent | EventRejection): r is EventRejection {
  return "code" in r;
}

/** The stored document, typed for readers (the API serves it as is). */
export type StoredEcsEvent = EcsSecurityEvent;
