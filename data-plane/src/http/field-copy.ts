import type { FieldNameSet } from "./bytes.js";
import type { FieldList } from "./field-list.js";
import { WRITER_OWNED } from "./header-block.js";

/**
 * Field lines of a received head chosen to be forwarded byte for byte (a proxy's copy of the
 * client's request fields upstream, or of the upstream's response fields to the client): no
 * string is made of any of them.
 */
export interface ForwardedFields {
  readonly fields: FieldList;
  /** 1 for each line that goes. */
  readonly keep: Uint8Array;
  /** Bytes the kept lines take on the wire (`name: value\r\n` each). */
  readonly bytes: number;
  /** A kept line is named `date`. */
  readonly hasDate: boolean;
}

/**
 * Chooses the lines of `fields` to forward: never the framing and hop-by-hop fields a writer
 * owns (`WRITER_OWNED`), nor those named in `drop` or `owned` (names the writer sets itself:
 * they must not appear twice).
 */
export function selectForwarded(
  fields: FieldList,
  drop: FieldNameSet | null,
  owned: FieldNameSet | null,
): ForwardedFields {
  const keep = new Uint8Array(fields.size);
  let bytes = 0;
  let hasDate = false;
  for (let i = 0; i < fields.size; i++) {
    if (fields.nameIn(i, WRITER_OWNED)) continue;
    if (drop !== null && fields.nameIn(i, drop)) continue;
    if (owned !== null && fields.nameIn(i, owned)) continue;
    keep[i] = 1;
    bytes += fields.valueEnd(i) - fields.nameStart(i) + 2;
    if (!hasDate && fields.nameEnd(i) - fields.nameStart(i) === 4 && fields.indexOf("date", i) === i) hasDate = true;
  }
  return { fields, keep, bytes, hasDate };
}

/**
 * Copies the kept lines into `dst` at `off` (as received from name to value, then CRLF).
 * @returns the offset after them
 */
export function copyForwarded(f: ForwardedFields, dst: Buffer, off: number): number {
  const src = f.fields.buffer;
  const keep = f.keep;
  for (let i = 0; i < keep.length; i++) {
    if (keep[i] !== 1) continue;
    off += src.copy(dst, off, f.fields.nameStart(i), f.fields.valueEnd(i));
    dst[off++] = 0x0d;
    dst[off++] = 0x0a;
  }
  return off;
}
