import type { Message } from "@bufbuild/protobuf";
import {
  addDigest,
  compareIds,
  decodeResource,
  formatContentHash,
  type RawResource,
  RESOURCE_KINDS,
  removeDigest,
  resourceDigest,
  resourceIdOf,
  resourceKind,
  type Snapshot,
  type SnapshotHeader,
  snapshotFromMessages,
} from "@palisade/proto";
import { CompileError } from "./compile-error.js";

/** One resource a node holds: its bytes as the control plane encoded them, digest and decoded message. */
export interface HeldResource extends RawResource {
  readonly digest: bigint;
  /** The decoded message; `undefined` for a kind this build does not know (kept for the hash only). */
  readonly message: Message | undefined;
}

/** A resource to add or change: its Snapshot field and encoded body. */
export interface ResourceChange {
  readonly field: number;
  readonly body: Uint8Array;
}

/** One kind's resources, ordered by id, with their messages in a parallel array (the snapshot's list). */
interface KindList {
  readonly held: HeldResource[];
  readonly messages: Message[];
}

/**
 * The config a node holds, as a set of resources: immutable, identified by its content hash
 * (the multiset hash of proto/src/resources.ts, the same function the control plane uses).
 * Each kind's resources are kept ordered by id (found by binary search), so the same content
 * gives the same snapshot whatever order it arrived in. A delta copies only the lists of the
 * kinds it touches (an array of pointers) and keeps the message objects of unchanged resources,
 * which lets `compile` reuse what it compiled from them: a one-route delta at 10,000 routes does
 * no per-resource work besides the changed route.
 */
export class ConfigState {
  readonly version: bigint;
  readonly createdAtMs: bigint;
  readonly #lists: ReadonlyMap<number, KindList>;
  readonly #sum: bigint;
  readonly #touched: ReadonlyMap<number, ReadonlySet<string>> | undefined;
  #snapshot: Snapshot | undefined;

  private constructor(
    version: bigint,
    createdAtMs: bigint,
    lists: ReadonlyMap<number, KindList>,
    sum: bigint,
    touched?: ReadonlyMap<number, ReadonlySet<string>>,
  ) {
    this.version = version;
    this.createdAtMs = createdAtMs;
    this.#lists = lists;
    this.#sum = sum;
    this.#touched = touched;
  }

  /**
   * Ids of the `field` resources added, changed or removed by the delta that made this config
   * from the previous one (`undefined` for a full config): every other resource of that kind is
   * the same message object as before, which is what `compile`'s `changedRoutes` hint needs.
   */
  touched(field: number): ReadonlySet<string> | undefined {
    if (this.#touched === undefined) return undefined;
    return this.#touched.get(field) ?? new Set();
  }

  /** The config of a node that holds nothing. */
  static empty(): ConfigState {
    return new ConfigState(0n, 0n, new Map(), 0n);
  }

  /** Content hash, 64 hex digits. */
  get hash(): string {
    return formatContentHash(this.#sum);
  }

  /** Number of resources. */
  get size(): number {
    let n = 0;
    for (const l of this.#lists.values()) n += l.held.length;
    return n;
  }

  /**
   * Builds a config from every resource (a full update, a snapshot file).
   * @throws CompileError SNAPSHOT_INVALID when a resource does not decode, RESOURCE_INVALID
   *   when an id repeats within a kind
   */
  static full(version: bigint, createdAtMs: bigint, resources: Iterable<ResourceChange>): ConfigState {
    const byField = new Map<number, HeldResource[]>();
    let sum = 0n;
    for (const r of resources) {
      const held = hold(r);
      let list = byField.get(held.field);
      if (!list) {
        list = [];
        byField.set(held.field, list);
      }
      list.push(held);
      sum = addDigest(sum, held.digest);
    }
    const lists = new Map<number, KindList>();
    for (const [field, held] of byField) {
      held.sort((a, b) => compareIds(a.id, b.id));
      for (let i = 1; i < held.length; i++)
        if (held[i]!.id === held[i - 1]!.id)
          throw new CompileError(
            "RESOURCE_INVALID",
            `duplicate id "${held[i]!.id}"`,
            `${kindName(field)}/${held[i]!.id}`,
          );
      lists.set(field, { held, messages: held.map((h) => h.message as Message) });
    }
    return new ConfigState(version, createdAtMs, lists, sum);
  }

  /**
   * Applies a delta: the new config holds this one's resources, with `changed` added or
   * replaced and `removed` taken out. Cost: O(changes × log n) plus a copy of each touched
   * kind's pointer list.
   * @throws CompileError SNAPSHOT_INVALID when a resource does not decode, RESOURCE_INVALID when
   *   a removed id is not held (the delta's base is not this config)
   */
  applyDelta(
    version: bigint,
    createdAtMs: bigint,
    changed: Iterable<ResourceChange>,
    removed: Iterable<{ readonly field: number; readonly id: string }>,
  ): ConfigState {
    const lists = new Map(this.#lists);
    const copied = new Set<number>();
    const listOf = (field: number): { held: HeldResource[]; messages: Message[] } => {
      if (!copied.has(field)) {
        copied.add(field);
        const old = lists.get(field);
        lists.set(field, { held: old ? old.held.slice() : [], messages: old ? old.messages.slice() : [] });
      }
      return lists.get(field) as KindList;
    };
    let sum = this.#sum;
    const touched = new Map<number, Set<string>>();
    const touch = (field: number, id: string) => {
      let t = touched.get(field);
      if (!t) {
        t = new Set();
        touched.set(field, t);
      }
      t.add(id);
    };
    for (const ref of removed) {
      touch(ref.field, ref.id);
      const list = listOf(ref.field);
      const i = indexOf(list.held, ref.id);
      if (list.held[i]?.id !== ref.id)
        throw new CompileError("RESOURCE_INVALID", "removed resource is not held", `${kindName(ref.field)}/${ref.id}`);
      sum = removeDigest(sum, list.held[i]!.digest);
      list.held.splice(i, 1);
      list.messages.splice(i, 1);
    }
    for (const r of changed) {
      const held = hold(r);
      touch(held.field, held.id);
      const list = listOf(held.field);
      const i = indexOf(list.held, held.id);
      if (list.held[i]?.id === held.id) {
        sum = removeDigest(sum, list.held[i]!.digest);
        list.held[i] = held;
        list.messages[i] = held.message as Message;
      } else {
        list.held.splice(i, 0, held);
        list.messages.splice(i, 0, held.message as Message);
      }
      sum = addDigest(sum, held.digest);
    }
    return new ConfigState(version, createdAtMs, lists, sum, touched);
  }

  /** The same content under another version number (nothing is decoded or copied). */
  relabel(version: bigint, createdAtMs: bigint): ConfigState {
    return new ConfigState(version, createdAtMs, this.#lists, this.#sum, new Map());
  }

  /** The typed snapshot `compile` takes (built once per state, sharing the kind lists; unknown kinds left out). */
  snapshot(): Snapshot {
    if (!this.#snapshot) {
      const byField = new Map<number, readonly Message[]>();
      for (const [field, list] of this.#lists) if (resourceKind(field)) byField.set(field, list.messages);
      this.#snapshot = snapshotFromMessages(this.header(), byField, false);
    }
    return this.#snapshot;
  }

  /** Version, hash and publish time. */
  header(): SnapshotHeader {
    return { version: this.version, hash: this.hash, createdAtMs: this.createdAtMs };
  }

  /** Every resource, by field number then id (the order of the encoded snapshot). */
  *resources(): Generator<HeldResource> {
    const fields = [...this.#lists.keys()].sort((a, b) => a - b);
    for (const f of fields) yield* this.#lists.get(f)!.held;
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
