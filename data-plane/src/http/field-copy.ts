import type { FieldNameMatcher } from "./bytes.js";
import type { FieldList } from "./field-list.js";
import { WRITER_OWNED } from "./header-block.js";

/**
 * Field lines of a received head chosen to be forwarded byte for byte (a proxy's copy of the
 * client's request fields upstream, or of the upstream's response fields to the client): no
 * string is made of any of them. Consecutive kept lines are one run, copied with one call.
 */
export interface ForwardedFields {
  readonly fields: FieldList;
  /** Runs of kept lines as byte ranges of `fields.buffer`: start, end, start, end… (each run ends at its last value). */
  readonly runs: readonly number[];
  /** Bytes the kept lines take on the wire (each run plus its CRLF). */
  readonly bytes: number;
  /** A kept line is named `date`. */
  readonly hasDate: boolean;
}

/**
 * Chooses the lines of `fields` to forward: never the framing and hop-by-hop fields a writer
 * owns (`WRITER_OWNED`), nor those named in `drop` or `owned` (names the writer sets itself:
 * they must not appear twice). A run of kept lines keeps the bytes between them as received
 * (a line's trailing whitespace and its CRLF).
 * @param dropUnderscored also leave out names holding `_` (nginx `underscores_in_headers off`:
 *   CGI-style upstreams read `X_User` as `X-User`, so a client could pass an identity header; C21)
 */
export function selectForwarded(
  fields: FieldList,
  drop: FieldNameMatcher | null,
  owned: FieldNameMatcher | null,
  dropUnderscored = false,
): ForwardedFields {
  const runs: number[] = [];
  let bytes = 0;
  let hasDate = false;
  let runStart = -1;
  let runEnd = -1;
  for (let i = 0; i < fields.size; i++) {
    const kept =
      !fields.nameIn(i, WRITER_OWNED) &&
      (drop === null || !fields.nameIn(i, drop)) &&
      (owned === null || !fields.nameIn(i, owned)) &&
      (!dropUnderscored || !fields.nameHas(i, 0x5f));
    if (!kept) {
      if (runStart >= 0) {
        runs.push(runStart, runEnd);
        bytes += runEnd - runStart + 2;
        runStart = -1;
      }
      continue;
    }
    if (runStart < 0) runStart = fields.nameStart(i);
    runEnd = fields.valueEnd(i);
    if (!hasDate && fields.nameEnd(i) - fields.nameStart(i) === 4 && fields.indexOf("date", i) === i) hasDate = true;
  }
  if (runStart >= 0) {
    runs.push(runStart, runEnd);
    bytes += runEnd - runStart + 2;
  }
  return { fields, runs, bytes, hasDate };
}

/**
 * Copies the kept lines into `dst` at `off`, each run as received, then CRLF.
 * @returns the offset after them
 */
export function copyForwarded(f: ForwardedFields, dst: Buffer, off: number): number {
  const src = f.fields.buffer;
  const runs = f.runs;
  for (let r = 0; r < runs.length; r += 2) {
    off += src.copy(dst, off, runs[r]!, runs[r + 1]!);
    dst[off++] = 0x0d;
    dst[off++] = 0x0a;
  }
  return off;
}
