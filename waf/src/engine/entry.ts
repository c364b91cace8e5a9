import type { ByteString } from "../bytes.js";

/**
 * One value of a variable: for a collection the member's key (as sent) and value; for a plain
 * variable key "" and the value. `name` is what MATCHED_VAR_NAME shows (`ARGS:id`, `REQUEST_URI`).
 */
export interface Entry {
  readonly key: ByteString;
  /** `key` lower-cased: selectors and exclusions compare keys case-insensitively. */
  readonly lkey: string;
  readonly name: string;
  readonly value: ByteString;
}

/** A collection entry. */
export function entry(variable: string, key: ByteString, value: ByteString): Entry {
  return { key, lkey: key.toLowerCase(), name: `${variable}:${key}`, value };
}

/** The single entry of a plain variable. */
export function scalar(variable: string, value: ByteString): Entry {
  return { key: "", lkey: "", name: variable, value };
}

/** The entries of a `*_NAMES` collection: each key of `entries` as a value. */
export function namesOf(variable: string, entries: readonly Entry[]): Entry[] {
  return entries.map((e) => ({ key: e.key, lkey: e.lkey, name: `${variable}:${e.key}`, value: e.key }));
}
