/**
 * The syntax tree of a PCRE pattern as the WAF reads it, over bytes (char codes 0–255, see
 * bytes.ts). Flags are resolved while parsing: a letter under `(?i)` is a folding char, a class
 * under `(?i)` holds both cases, `.` is the class its `(?s)` state gives.
 */
export type RegexNode =
  | { readonly kind: "empty" }
  /** One byte; `fold`: an ASCII letter under `(?i)`, matching both cases. */
  | { readonly kind: "char"; readonly code: number; readonly fold: boolean; readonly icase?: boolean }
  /** A set of bytes: `set[b]` is true for every member; `icase` when written under `(?i)`. */
  | { readonly kind: "class"; readonly set: ByteSet; readonly icase?: boolean }
  | { readonly kind: "seq"; readonly items: readonly RegexNode[] }
  | { readonly kind: "alt"; readonly items: readonly RegexNode[] }
  | { readonly kind: "group"; readonly capture: boolean; readonly body: RegexNode }
  | {
      readonly kind: "repeat";
      readonly body: RegexNode;
      readonly min: number;
      readonly max: number;
      readonly lazy: boolean;
    }
  /** `^`/`$` (multi-line, as ModSecurity v3 compiles @rx), `\A`, `\z`, `\Z`, `\b`, `\B`. */
  | { readonly kind: "assert"; readonly what: "bol" | "eol" | "begin" | "end" | "endnl" | "word" | "nonword" };

/** 256 booleans, one per byte. */
export type ByteSet = Uint8Array;

/** An empty byte set. */
export function newSet(): ByteSet {
  return new Uint8Array(256);
}

/** The number of bytes in a set. */
export function setSize(set: ByteSet): number {
  let n = 0;
  for (let i = 0; i < 256; i++) n += set[i]!;
  return n;
}

/** Unbounded repetition count. */
export const INFINITE = -1;
