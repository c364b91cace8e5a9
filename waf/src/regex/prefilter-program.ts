import { hasLiteral, type LiteralHits, type LiteralIndex } from "./literal-index.js";
import { chance, type Prefilter } from "./prefilter.js";

const FALSE = 0;
const BYTE = 1;
const LITERAL = 2;
const ANY = 3;
const AND = 4;
const OR = 5;

/** Any of several bytes and literals: the bytes as 8 words, the literals as a list and a bitmap. */
interface AnySet {
  readonly bytes: Int32Array;
  readonly hasBytes: boolean;
  readonly literals: Int32Array;
  readonly literalBits: Uint32Array;
}

/**
 * A {@link Prefilter} compiled for evaluation on {@link LiteralHits}: a tree flattened into an
 * Int32Array (`[op, size, operand]` leaves, `[AND|OR, size, children…]` inner nodes, `size` the
 * node's length so a short-circuit jumps over the rest) that one monomorphic loop walks, and the
 * sets of its ORs of many literals. AND children are ordered by their chance to hold on a benign
 * value, rarest first, so a failing AND stops at its first child. Literals (two bytes and more)
 * are registered in the {@link LiteralIndex} the hits come from.
 */
export class PrefilterProgram {
  readonly #code: Int32Array;
  readonly #sets: readonly AnySet[];
  /** Every way to pass needs some literal: hits without any fail at once. */
  readonly needsLiteral: boolean;

  constructor(p: Exclude<Prefilter, true>, index: LiteralIndex) {
    const code: number[] = [];
    const sets: AnySet[] = [];
    emit(p, code, sets, index);
    this.#code = Int32Array.from(code);
    this.#sets = sets;
    this.needsLiteral = needs(this.#code, 0, sets);
  }

  /** Whether `hits` (of one value, or a union) meet the condition. */
  passes(hits: LiteralHits): boolean {
    if (this.needsLiteral && hits.found.length === 0) return false;
    return this.#eval(0, hits);
  }

  #eval(pc: number, hits: LiteralHits): boolean {
    const code = this.#code;
    switch (code[pc]) {
      case BYTE: {
        const b = code[pc + 2]!;
        return (hits.bytes[b >> 5]! & (1 << (b & 31))) !== 0;
      }
      case LITERAL:
        return hasLiteral(hits, code[pc + 2]!);
      case ANY:
        return anyOf(this.#sets[code[pc + 2]!]!, hits);
      case AND: {
        const end = pc + code[pc + 1]!;
        for (let c = pc + 2; c < end; c += code[c + 1]!) if (!this.#eval(c, hits)) return false;
        return true;
      }
      case OR: {
        const end = pc + code[pc + 1]!;
        for (let c = pc + 2; c < end; c += code[c + 1]!) if (this.#eval(c, hits)) return true;
        return false;
      }
      default:
        return false;
    }
  }
}

function anyOf(set: AnySet, hits: LiteralHits): boolean {
  if (set.hasBytes) for (let w = 0; w < 8; w++) if ((hits.bytes[w]! & set.bytes[w]!) !== 0) return true;
  const found = hits.found;
  const lits = set.literals;
  // Walk the shorter side: the value's few hits against the set's bitmap, or the set's literals.
  if (found.length <= lits.length) {
    const bits = set.literalBits;
    for (let i = 0; i < found.length; i++) {
      const id = found[i]!;
      if (id >> 5 < bits.length && (bits[id >> 5]! & (1 << (id & 31))) !== 0) return true;
    }
    return false;
  }
  for (let i = 0; i < lits.length; i++) if (hasLiteral(hits, lits[i]!)) return true;
  return false;
}

/** Appends the encoding of `p` to `code` (ORs of several literals become one set). */
function emit(p: Exclude<Prefilter, true>, code: number[], sets: AnySet[], index: LiteralIndex): void {
  if (p === false) {
    code.push(FALSE, 2);
    return;
  }
  if (p.kind === "lit") {
    if (p.text.length === 1) code.push(BYTE, 3, p.text.charCodeAt(0));
    else code.push(LITERAL, 3, index.id(p.text));
    return;
  }
  let items = p.items.filter((i): i is Exclude<Prefilter, true> => i !== true);
  if (p.kind === "or") {
    const lits = items.filter((i) => i !== false && i.kind === "lit") as { kind: "lit"; text: string }[];
    items = items.filter((i) => !(i !== false && i.kind === "lit"));
    if (lits.length > 1) {
      if (items.length === 0) {
        emitAny(lits, code, sets, index);
        return;
      }
      const start = code.length;
      code.push(OR, 0);
      emitAny(lits, code, sets, index);
      for (const i of items) emit(i, code, sets, index);
      code[start + 1] = code.length - start;
      return;
    }
    items = [...lits, ...items];
  } else items = [...items].sort((a, b) => chance(a) - chance(b));
  if (items.length === 1) {
    emit(items[0]!, code, sets, index);
    return;
  }
  const start = code.length;
  code.push(p.kind === "and" ? AND : OR, 0);
  for (const i of items) emit(i, code, sets, index);
  code[start + 1] = code.length - start;
}

function emitAny(lits: readonly { text: string }[], code: number[], sets: AnySet[], index: LiteralIndex): void {
  const bytes = new Int32Array(8);
  const ids = new Set<number>();
  let hasBytes = false;
  for (const l of lits)
    if (l.text.length === 1) {
      const b = l.text.charCodeAt(0);
      bytes[b >> 5] = bytes[b >> 5]! | (1 << (b & 31));
      hasBytes = true;
    } else ids.add(index.id(l.text));
  const literals = Int32Array.from(ids);
  let max = 0;
  for (const id of literals) if (id > max) max = id;
  const literalBits = new Uint32Array((max >> 5) + 1);
  for (const id of literals) literalBits[id >> 5] = literalBits[id >> 5]! | (1 << (id & 31));
  sets.push({ bytes, hasBytes, literals, literalBits });
  code.push(ANY, 3, sets.length - 1);
}

/** Whether every way to pass the node at `pc` needs a literal (not a byte alone). */
function needs(code: Int32Array, pc: number, sets: readonly AnySet[]): boolean {
  switch (code[pc]) {
    case BYTE:
      return false;
    case LITERAL:
    case FALSE:
      return true;
    case ANY:
      return !sets[code[pc + 2]!]!.hasBytes;
    case AND: {
      const end = pc + code[pc + 1]!;
      for (let c = pc + 2; c < end; c += code[c + 1]!) if (needs(code, c, sets)) return true;
      return false;
    }
    case OR: {
      const end = pc + code[pc + 1]!;
      for (let c = pc + 2; c < end; c += code[c + 1]!) if (!needs(code, c, sets)) return false;
      return true;
    }
    default:
      return false;
  }
}
