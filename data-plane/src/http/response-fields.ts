import type { FieldNameMatcher, FieldNameSet } from "./bytes.js";
import type { FieldList } from "./field-list.js";
import type { HeaderBlock } from "./header-block.js";
import type { OutgoingHeaders } from "./headers.js";

/**
 * The header section of a response on its way to the client, as the response phases edit it:
 * the fields received from the upstream (a lazy {@link FieldList}: never decoded unless a reader
 * asks, copied to the client byte for byte), minus the names the route drops, plus what the
 * phases set — as values, or as constant {@link HeaderBlock}s compiled with the config. Reads
 * see the result of every edit so far; edits apply in the order they are made (set semantics:
 * a name set replaces every line of that name, wherever it came from).
 *
 * The writer takes the parts apart again: `upstream` lines minus `drop` and minus what this
 * object {@link has} (the names edited since), then `values`, then `blocks`. A response whose
 * phases set only names of the static drop set never makes the writer compare a forwarded line
 * with more than the compiled sets.
 */
export class ResponseFields implements FieldNameMatcher {
  /** The status code of the answer. */
  readonly status: number;
  /** The node answers itself (an error answer, a CORS preflight): there are no upstream fields. */
  readonly own: boolean;
  /** The upstream's fields, `null` for the node's own answers. */
  readonly upstream: FieldList | null;
  /** Names of the upstream's fields that are never forwarded (compiled per route). */
  readonly drop: FieldNameSet | null;
  #values: OutgoingHeaders | null = null;
  #blocks: HeaderBlock[] | null = null;
  /** Lower-case names edited that the static drop set does not cover (matched against forwarded lines). */
  #owned: string[] | null = null;
  #prefixes: string[] | null = null;

  constructor(status: number, upstream: FieldList | null, drop: FieldNameSet | null) {
    this.status = status;
    this.upstream = upstream;
    this.own = upstream === null;
    this.drop = drop;
  }

  /** Headers set as values (lower-case names), `null` when none. */
  get values(): OutgoingHeaders | null {
    return this.#values;
  }

  /** Constant blocks in force, in the order they were added, `null` when none. */
  get blocks(): readonly HeaderBlock[] | null {
    return this.#blocks;
  }

  /** Whether some forwarded line may be replaced or removed by an edit (else the drop set alone decides). */
  get edited(): boolean {
    return this.#owned !== null || this.#prefixes !== null || this.#blocks !== null;
  }

  /**
   * The value of `name` as the client would get it now: a set value, a block's, or the upstream's
   * (several lines joined with `", "`); `undefined` when absent or removed.
   */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    const v = this.#values?.[lower];
    if (v !== undefined) return typeof v === "string" ? v : v.join(", ");
    const blocks = this.#blocks;
    if (blocks !== null) {
      for (let i = blocks.length - 1; i >= 0; i--) {
        const b = blocks[i]!.headers[lower];
        if (b !== undefined) return typeof b === "string" ? b : b.join(", ");
      }
    }
    const up = this.upstream;
    if (up === null || this.drop?.hasName(lower) || this.#ownedName(lower)) return undefined;
    return up.get(lower);
  }

  /** Sets `name` (replacing every line of that name). */
  set(name: string, value: string | string[]): void {
    const lower = name.toLowerCase();
    this.#own(lower);
    if (this.#values === null) this.#values = {};
    this.#values[lower] = value;
  }

  /** Removes every line named `name`. */
  remove(name: string): void {
    const lower = name.toLowerCase();
    this.#own(lower);
    if (this.#values !== null) delete this.#values[lower];
  }

  /** Removes every line whose name starts with `prefix` (e.g. `access-control-`). */
  removePrefix(prefix: string): void {
    const lower = prefix.toLowerCase();
    if (this.#blocks !== null) for (const b of [...this.#blocks]) if (hasPrefix(b, lower)) this.#explode(b);
    const values = this.#values;
    if (values !== null) for (const n in values) if (n.startsWith(lower)) delete values[n];
    if (this.upstream !== null) this.#ownPrefix(lower);
  }

  /** Sets every line of `block` (a constant block compiled with the config), as {@link set} would. */
  addBlock(block: HeaderBlock): void {
    const values = this.#values;
    if (values !== null) for (const n in block.headers) delete values[n];
    if (this.#blocks !== null)
      for (const b of [...this.#blocks]) for (const n in block.headers) if (b.names.hasName(n)) this.#explode(b);
    if (this.#blocks === null) this.#blocks = [block];
    else this.#blocks.push(block);
  }

  /** Whether the forwarded line named `buf[start..end)` is replaced or removed by an edit (the writer's question). */
  has(buf: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    const owned = this.#owned;
    if (owned !== null) {
      outer: for (let k = 0; k < owned.length; k++) {
        const n = owned[k]!;
        if (n.length !== len) continue;
        for (let i = 0; i < len; i++) if ((buf[start + i]! | 0x20) !== (n.charCodeAt(i) | 0x20)) continue outer;
        return true;
      }
    }
    const prefixes = this.#prefixes;
    if (prefixes !== null) {
      outer: for (let k = 0; k < prefixes.length; k++) {
        const n = prefixes[k]!;
        if (n.length > len) continue;
        for (let i = 0; i < n.length; i++) if ((buf[start + i]! | 0x20) !== (n.charCodeAt(i) | 0x20)) continue outer;
        return true;
      }
    }
    const blocks = this.#blocks;
    if (blocks !== null) for (let k = 0; k < blocks.length; k++) if (blocks[k]!.names.has(buf, start, end)) return true;
    return false;
  }

  /** The whole section as an object (lower-case names): for writers that take objects (HTTP/2) and for tests. */
  toObject(): OutgoingHeaders {
    const out: OutgoingHeaders = {};
    const up = this.upstream;
    if (up !== null) {
      for (let i = 0; i < up.size; i++) {
        if ((this.drop !== null && up.nameIn(i, this.drop)) || up.nameIn(i, this)) continue;
        const name = up.lowerNameAt(i);
        const value = up.valueAt(i);
        const seen = out[name];
        if (seen === undefined) out[name] = value;
        else out[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
      }
    }
    if (this.#blocks !== null) for (const b of this.#blocks) Object.assign(out, b.headers);
    if (this.#values !== null) Object.assign(out, this.#values);
    return out;
  }

  /** `lower` is edited from now on: blocks holding it become values, forwarded lines of it are replaced. */
  #own(lower: string): void {
    const blocks = this.#blocks;
    if (blocks !== null) for (const b of [...blocks]) if (b.names.hasName(lower)) this.#explode(b);
    if (this.upstream === null || this.drop?.hasName(lower) || this.#ownedName(lower)) return;
    if (this.#owned === null) this.#owned = [lower];
    else this.#owned.push(lower);
  }

  #ownPrefix(lower: string): void {
    if (this.#prefixes === null) this.#prefixes = [lower];
    else this.#prefixes.push(lower);
  }

  #ownedName(lower: string): boolean {
    if (this.#owned?.includes(lower)) return true;
    const prefixes = this.#prefixes;
    if (prefixes !== null) for (const p of prefixes) if (lower.startsWith(p)) return true;
    return false;
  }

  /** Turns a block into values (an edit touches one of its names): the other names keep their values. */
  #explode(block: HeaderBlock): void {
    const blocks = this.#blocks!;
    blocks.splice(blocks.indexOf(block), 1);
    if (blocks.length === 0) this.#blocks = null;
    if (this.#values === null) this.#values = {};
    const values = this.#values;
    for (const n in block.headers) {
      values[n] = block.headers[n]!;
      this.#own(n);
    }
  }
}

function hasPrefix(block: HeaderBlock, prefix: string): boolean {
  for (const n in block.headers) if (n.startsWith(prefix)) return true;
  return false;
}
