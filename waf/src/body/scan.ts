/** `index`, or `end` when it is -1 (what a failed `indexOf` returns). */
export function indexOrEnd(index: number, end: number): number {
  return index < 0 ? end : index;
}

/**
 * Index of the first byte at or after `from` that a global one-byte class regex matches, or
 * `s.length`: a native scan, faster than a `charCodeAt` loop over long text.
 */
export function indexOfClass(byteClass: RegExp, s: string, from: number): number {
  byteClass.lastIndex = from;
  return byteClass.test(s) ? byteClass.lastIndex - 1 : s.length;
}
