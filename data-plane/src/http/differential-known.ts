/**
 * The differences between the engine and node:http (with Palisade's checks today) that are
 * accepted, each with its reason. Every difference the differential run finds must match one of
 * these; the engine never accepts what Palisade refuses today, and never reads an accepted
 * request differently (neither kind may be listed here). The data-plane README's "HTTP engine"
 * section carries the same list.
 */
import type { Difference, Verdict } from "./differential.js";

/** One accepted kind of difference. */
export interface KnownDifference {
  readonly id: string;
  readonly reason: string;
  matches(d: Difference): boolean;
}

const BODY_REASONS: ReadonlySet<string> = new Set([
  "chunk_size_invalid",
  "chunk_extension_invalid",
  "chunk_data_overrun",
  "trailer_invalid",
  "trailer_too_large",
  "message_incomplete",
]);

const refused = (v: Verdict): v is Extract<Verdict, { kind: "refused" }> => v.kind === "refused";
const unanswered = (v: Verdict) => v.kind === "closed" || v.kind === "timeout";

/** The request line (up to its first LF), latin1. */
function requestLine(d: Difference): string {
  const text = d.bytes.toString("latin1").replace(/^(\r\n)+/, "");
  const lf = text.indexOf("\n");
  return lf < 0 ? text : text.slice(0, lf);
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: "version-505",
    reason:
      "A well-formed HTTP-version whose major is not 1 (HTTP/2.0, HTTP/3.0, HTTP/0.9) is answered 505 " +
      "HTTP_VERSION_NOT_SUPPORTED (RFC 9110 §15.6.6) instead of 400: the same refusal, a precise status.",
    matches: (d) => refused(d.engine) && d.engine.status === 505 && refused(d.node),
  },
  {
    id: "connect-501",
    reason:
      "CONNECT is refused at its method with 501 NOT_IMPLEMENTED and Palisade's JSON error (the gateway tunnels " +
      "nothing, RFC 9110 §9.3.6); node:http closed the connection without a status line (issue 13 point 4), or " +
      "answered 400 when the rest of the line was malformed too.",
    matches: (d) => refused(d.engine) && d.engine.why === "method_connect" && (refused(d.node) || unanswered(d.node)),
  },
  {
    id: "body-framing-answered",
    reason:
      "A framing error found after the head (chunk size, chunk extension, chunk data longer than declared, " +
      "trailer, a body cut by the client's shutdown) gets 400 with Connection: close; node:http had started " +
      "the request and Palisade closed the connection without an answer (issue 13 point 4).",
    matches: (d) =>
      refused(d.engine) && d.engine.status === 400 && BODY_REASONS.has(d.engine.why) && unanswered(d.node),
  },
  {
    id: "request-line-whitespace",
    reason:
      "More than one SP, or an HTAB, between the parts of the request line: RFC 9112 §3 lets a recipient read " +
      "it leniently and node:http does; the engine reads exactly one SP, since a proxy that forwards the " +
      "target must not guess where it ends (400).",
    matches: (d) => refused(d.engine) && d.engine.status === 400 && / {2}|\t/.test(requestLine(d)),
  },
  {
    id: "leading-bare-cr-lf",
    reason:
      "A lone LF or CR before the request line: RFC 9112 §2.2 asks to skip empty lines (CRLF); node:http also " +
      "skips a lone LF or CR, the engine refuses bare CR and LF everywhere (400).",
    matches: (d) =>
      refused(d.engine) &&
      (d.engine.why === "bare_lf" || d.engine.why === "bare_cr") &&
      /^(\r\n)*(\n|\r[^\n])/.test(d.bytes.toString("latin1")),
  },
  {
    id: "expect-exact",
    reason:
      "Expect must be exactly `100-continue` (any case, RFC 9110 §10.1.1), else 417; node:http's pattern takes " +
      "any value with the word in it (`100-continue, magic`, `100-continueÓ`) and then waits for a body.",
    matches: (d) => refused(d.engine) && d.engine.status === 417 && (d.node.kind === "accepted" || unanswered(d.node)),
  },
  {
    id: "request-line-414",
    reason:
      "A request line longer than the limit is answered 414 URI_TOO_LONG (RFC 9112 §3); node:http counted it " +
      "in the header section (431).",
    matches: (d) => refused(d.engine) && d.engine.status === 414 && refused(d.node) && d.node.status === 431,
  },
  {
    id: "first-fault-wins",
    reason:
      "Both refuse a request with two faults, with the status of the one each finds first: the engine reads " +
      "the request line and the framing as they arrive (400, 505, 501) and then Expect (417); node:http " +
      "answers Expect before Palisade's framing checks run, and its parser stops at other points.",
    matches: (d) =>
      refused(d.engine) &&
      refused(d.node) &&
      [400, 417, 501, 505].includes(d.engine.status) &&
      [400, 417].includes(d.node.status),
  },
];

/** The known difference `d` belongs to, or `undefined` (an unexplained difference). */
export function explain(d: Difference): KnownDifference | undefined {
  if (d.engine.kind === "accepted") return undefined; // never accepted: looser or read differently
  return KNOWN_DIFFERENCES.find((k) => k.matches(d));
}
