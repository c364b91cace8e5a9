/** A variable a macro reads: `%{tx.score}` is `{ name: "TX", key: "score" }`. */
export interface MacroRef {
  /** Upper-cased variable or collection name. */
  readonly name: string;
  /** Lower-cased key, or null for a plain variable (`%{MATCHED_VAR}`). */
  readonly key: string | null;
}

/**
 * A precompiled macro template (ModSecurity reference manual, "Macro expansion"): literal text
 * and `%{VAR}` / `%{COLLECTION.key}` references, expanded per transaction to the variable's
 * first value (empty when it does not exist). `constant` is the text when there is no reference.
 */
export interface Macro {
  readonly text: string;
  readonly parts: ReadonlyArray<string | MacroRef>;
  readonly constant: string | null;
}

/** Compiles `text` into a macro; text without `%{` is a constant. */
export function compileMacro(text: string): Macro {
  if (!text.includes("%{")) return { text, parts: [text], constant: text };
  const parts: Array<string | MacroRef> = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("%{", i);
    const end = start < 0 ? -1 : text.indexOf("}", start + 2);
    if (start < 0 || end < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (start > i) parts.push(text.slice(i, start));
    const ref = text.slice(start + 2, end);
    const dot = ref.indexOf(".");
    parts.push(
      dot < 0
        ? { name: ref.toUpperCase(), key: null }
        : { name: ref.slice(0, dot).toUpperCase(), key: ref.slice(dot + 1).toLowerCase() },
    );
    i = end + 1;
  }
  return { text, parts, constant: null };
}
