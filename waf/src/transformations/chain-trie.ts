import type { Transformation } from "./transformation.js";
import { ALWAYS, triggersOf } from "./trigger-bytes.js";

/**
 * Every transformation chain of the process's rule sets as one trie of shared prefixes: CRS
 * writes ~60 chains (`utf8toUnicode,urlDecodeUni,htmlEntityDecode,jsDecode,cssDecode,…`) that
 * share their first steps, so a value's `utf8toUnicode,urlDecodeUni` is computed once for every
 * chain that starts with it. Node 0 is the empty chain. A node knows its step, its parent (the
 * chain without its last step), and its path's triggers (see trigger-bytes.ts): a value with none
 * of them comes out of the whole chain unchanged, or ASCII-lower-cased when the path `folds`.
 * Nodes are only added (at rule-set compile time), so ids stay valid for the process's life.
 */
export class ChainTrie {
  readonly #ids = new Map<string, number>();
  readonly #parent: number[] = [-1];
  readonly #step: Array<Transformation | null> = [null];
  readonly #triggers: number[] = [0];
  readonly #folds: boolean[] = [false];
  readonly #pathTriggers: number[] = [0];
  readonly #pathFolds: boolean[] = [false];
  readonly #keys: string[] = [""];

  /**
   * The node of a chain given as lower-case names and their functions, in order (added if new).
   * An empty chain is node 0.
   */
  node(names: readonly string[], fns: readonly Transformation[]): number {
    let node = 0;
    for (let i = 0; i < names.length; i++) {
      const key = `${node}\u0001${names[i]}`;
      let child = this.#ids.get(key);
      if (child === undefined) {
        child = this.#parent.length;
        const t = triggersOf(names[i]!);
        this.#ids.set(key, child);
        this.#parent.push(node);
        this.#step.push(fns[i]!);
        this.#triggers.push(t.triggers);
        this.#folds.push(t.folds);
        this.#pathTriggers.push(t.triggers === ALWAYS ? ALWAYS : this.#pathTriggers[node]! | t.triggers);
        this.#pathFolds.push(this.#pathFolds[node]! || t.folds);
        this.#keys.push(this.#keys[node] === "" ? names[i]! : `${this.#keys[node]},${names[i]}`);
      }
      node = child;
    }
    return node;
  }

  /** Number of nodes (ids are 0 … size-1). */
  get size(): number {
    return this.#parent.length;
  }

  /** The chain without its last step (-1 for node 0). */
  parent(node: number): number {
    return this.#parent[node]!;
  }

  /** The node's last step. */
  step(node: number): Transformation {
    return this.#step[node]!;
  }

  /** Byte classes without which the last step leaves a value unchanged (or only folds it). */
  triggers(node: number): number {
    return this.#triggers[node]!;
  }

  /** Whether the last step lower-cases A–Z. */
  folds(node: number): boolean {
    return this.#folds[node]!;
  }

  /** The triggers of every step of the chain. */
  pathTriggers(node: number): number {
    return this.#pathTriggers[node]!;
  }

  /** Whether some step of the chain lower-cases A–Z. */
  pathFolds(node: number): boolean {
    return this.#pathFolds[node]!;
  }

  /** The chain as `name,name,…` (lower-case). */
  key(node: number): string {
    return this.#keys[node]!;
  }
}

/** The process-wide trie every compiled rule's chain is a node of. */
export const CHAINS: ChainTrie = new ChainTrie();
