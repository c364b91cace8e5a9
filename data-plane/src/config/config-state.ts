import type { Message } from "@bufbuild/protobuf";
import {
  addDigest,
  compareIds,
  decodeResource,
  encodeSnapshotBytes,
  formatContentHash,
  type RawResource,
  RESOURCE_KINDS,
  removeDigest,
  resourceDigest,
  resourceIdOf,
  resourceKey,
  resourceKind,
  type Snapshot,
  snapshotFromMessages,
} from "@palisade/proto";
import { CompileError } from "./compile-error.js";

/** One resource a node holds: its bytes as the control plane encoded them, digest and decoded message. */
export interface HeldResource extends RawResource {
  readonly digest: bigint;
  /** The decoded message; `undefined` for a kind this build does not know (kept for the hash only). */
  readonly message: Message | undefined;
}

/** A resource to add or change, or the id of one to remove. */
export interface ResourceChange {
  readonly field: number;
  readonly body: Uint8Array;
}

/**
 * The config a node holds, as a set of resources: immutable, identified by its content hash
 * (the multiset hash of proto/src/resources.ts, the same function the control plane uses).
 * Full updates build one from scratch; deltas build a new one from the previous by copying only
 * the touched kind's list (unchanged resources keep their message objects, which lets `compile`
 * reuse what it compiled from them). Each kind's list is ordered by id, so the same content
 * gives the same snapshot, whatever order it arrived in.
 */
export class ConfigState {
  readonly version: bigint;
  readonly createdAtMs: bigint;
  readonly #byKey: ReadonlyMap<string, HeldResource>;
  readonly #lists: ReadonlyMap<number, readonly HeldResource[]>;
  readonly #sum: bigint;
  #snapshot: Snapshot | undefined;

  private constructor(
    version: bigint,
    createdAtMs: bigint,
    byKey: ReadonlyMap<string, HeldResource>,
    lists: ReadonlyMap<number, readonly HeldResource[]>,
    sum: bigint,
  ) {
    this.version = version;
    this.createdAtMs = createdAtMs;
    this.#byKey = byKey;
    this.#lists = lists;
    this.#sum = sum;
  }

  /** The config of a node that holds nothing. */
  static empty(): ConfigState {
    return new ConfigState(0n, 0n, new Map(), new Map(), 0n);
  }

  /** Content hash, 64 hex digits. */
  get hash(): string {
    return formatContentHash(this.#sum);
  }

  /** Number of resources. */
  get size(): number {
    return this.#byKey.size;
  }

  /**
   * Builds a config from every resource (a full update, a snapshot file).
   * @throws CompileError SNAPSHOT_INVALID when a resource does not decode or an id repeats
   */
  static full(version: bigint, createdAtMs: bigint, resources: Iterable<ResourceChange>): ConfigState {
    const byKey = new Map<string, HeldResource>();
    const lists = new Map<number, HeldResource[]>();
    let sum = 0n;
    for (const r of resources) {
      const held = hold(r);
      if (byKey.has(resourceKey(held.field, held.id)))
        throw new CompileError("RESOURCE_INVALID", `duplicate id "${held.id}"`, `${kindName(held.field)}/${held.id}`);
      byKey.set(resourceKey(held.field, held.id), held);
      let list = lists.get(held.field);
      if (!list) {
        list = [];
        lists.set(held.field, list);
      }
      list.push(held);
      sum = addDigest(sum, held.digest);
    }
    for (const list of lists.values()) list.sort((a, b) => compareIds(a.id, b.id));
    return new ConfigState(version, createdAtMs, byKey, lists, sum);
  }

  /**
   * Applies a delta: the new config holds this one's resources, with `changed` added or
   * replaced and `removed` taken out. Cost: O(changes + size of each touched kind's list).
   * @throws CompileError SNAPSHOT_INVALID when a resource does not decode, RESOURCE_INVALID when
   *   a removed id is not held
   */
  applyDelta(
    version: bigint,
    createdAtMs: bigint,
    changed: Iterable<ResourceChange>,
    removed: Iterable<{ readonly field: number; readonly id: string }>,
  ): ConfigState {
    const byKey = new Map(this.#byKey);
    const lists = new Map(this.#lists);
    const copied = new Set<number>();
    const listOf = (field: number): HeldResource[] => {
      if (!copied.has(field)) {
        copied.add(field);
        lists.set(field, [...(lists.get(field) ?? [])]);
      }
      return lists.get(field) as HeldResource[];
    };
    let sum = this.#sum;
    for (const ref of removed) {
      const key = resourceKey(ref.field, ref.id);
      const old = byKey.get(key);
      if (!old) throw new CompileError("RESOURCE_INVALID", `removed resource is not held`, key);
      byKey.delete(key);
      sum = removeDigest(sum, old.digest);
      const list = listOf(ref.field);
      list.splice(indexOf(list, ref.id), 1);
    }
    for (const r of changed) {
      const held = hold(r);
      const key = resourceKey(held.field, held.id);
      const old = byKey.get(key);
      const list = listOf(held.field);
      const i = indexOf(list, held.id);
      if (old) {
        sum = removeDigest(sum, old.digest);
        list[i] = held;
      } else list.splice(i, 0, held);
      byKey.set(key, held);
      sum = addDigest(sum, held.digest);
    }
    return new ConfigState(version, createdAtMs, byKey, lists, sum);
  }

  /** The same content under another version number (nothing is decoded or copied). */
  relabel(version: bigint, createdAtMs: bigint): ConfigState {
    return new ConfigState(version, createdAtMs, this.#byKey, this.#lists, this.#sum);
  }

  /** The typed snapshot `compile` takes (built once per state; unknown kinds left out). */
  snapshot(): Snapshot {
    if (!this.#snapshot) {
      const byField = new Map<number, Message[]>();
      for (const [field, list] of this.#lists) {
        if (!resourceKind(field)) continue;
        byField.set(
          field,
          list.map((r) => r.message as Message),
        );
      }
      this.#snapshot = snapshotFromMessages(
        { version: this.version, hash: this.hash, createdAtMs: this.createdAtMs },
        byField,
      );
    }
    return this.#snapshot;
  }

  /** The encoded `palisade.config.v1.Snapshot` (for the last-known-good file). */
  encode(): Uint8Array {
    const all: RawResource[] = [];
    const fields = [...this.#lists.keys()].sort((a, b) => a - b);
    for (const f of fields) all.push(...(this.#lists.get(f) ?? []));
    return encodeSnapshotBytes({ version: this.version, hash: this.hash, createdAtMs: this.createdAtMs }, all);
  }
}

function kindName(field: number): string {
  return RESOURCE_KINDS.find((k) => k.field === field)?.name ?? `field${field}`;
}

function hold(r: ResourceChange): HeldResource {
  let id: string;
  let message: Message | undefined;
  try {
    id = resourceIdOf(r.body);
    message = resourceKind(r.field) ? decodeResource(r.field, r.body) : undefined;
  } catch {
    throw new CompileError("SNAPSHOT_INVALID", "a resource does not decode", `${kindName(r.field)}/`);
  }
  return { field: r.field, id, body: r.body, digest: resourceDigest(r.field, r.body), message };
}

/** Binary search by id: the index of `id`, or where it would be inserted. */
function indexOf(list: readonly HeldResource[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
