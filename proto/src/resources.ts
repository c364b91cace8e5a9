import { createHash } from "node:crypto";
import { create, type DescMessage, fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { type Snapshot, SnapshotSchema } from "./gen/palisade/config/v1/config_pb.js";

/**
 * A config resource as bytes: the `Snapshot` field it belongs to, its id and its encoded message.
 * Both planes hash exactly these bytes, so they agree on content hashes whatever protobuf
 * runtime re-encodes them (after Envoy delta xDS, where resource versions travel with resources).
 */
export interface RawResource {
  /** Number of the repeated message field of `palisade.config.v1.Snapshot` (3 upstreams, 4 routes, …). */
  readonly field: number;
  /** The resource's `id` (its field 1). */
  readonly id: string;
  /** The encoded resource message. */
  readonly body: Uint8Array;
}

/** One resource kind: a repeated message field of `Snapshot`. */
export interface ResourceKindInfo {
  /** Field number in `Snapshot`. */
  readonly field: number;
  /** Field name in the generated TypeScript (`upstreams`, `routes`, …). */
  readonly localName: string;
  /** Field name in the .proto (`upstreams`), used as the feature name of the kind. */
  readonly name: string;
  readonly schema: DescMessage;
}

/**
 * Every resource kind, from the `Snapshot` descriptor: a repeated message field added to
 * `Snapshot` later (certificates, …) is synced without changing this code. Each such message
 * must have `string id = 1`.
 */
export const RESOURCE_KINDS: readonly ResourceKindInfo[] = Object.freeze(
  SnapshotSchema.fields
    .filter((f) => f.fieldKind === "list" && f.listKind === "message")
    .map((f) => {
      const schema = (f as { message: DescMessage }).message;
      return Object.freeze({ field: f.number, localName: f.localName, name: f.name, schema });
    }),
);

const KIND_BY_FIELD = new Map(RESOURCE_KINDS.map((k) => [k.field, k]));

/** `Snapshot` fields this build knows that are not resources (9 and 10 travel as resource 11). */
const NON_RESOURCE_FIELDS: ReadonlySet<number> = new Set(
  SnapshotSchema.fields.filter((f) => !KIND_BY_FIELD.has(f.number)).map((f) => f.number),
);

/** The kind of a `Snapshot` field number, `undefined` for one this build does not know. */
export function resourceKind(field: number): ResourceKindInfo | undefined {
  return KIND_BY_FIELD.get(field);
}

/** `route/<id>`-style key of a resource, unique within a config. */
export function resourceKey(field: number, id: string): string {
  const k = KIND_BY_FIELD.get(field);
  return `${k ? k.name : `field${field}`}/${id}`;
}

const MOD = 1n << 256n;

/**
 * Digest of one resource: sha256(uint32 big-endian field number ‖ body) as a 256-bit integer.
 */
export function resourceDigest(field: number, body: Uint8Array): bigint {
  const h = createHash("sha256");
  const f = Buffer.allocUnsafe(4);
  f.writeUInt32BE(field >>> 0, 0);
  h.update(f);
  h.update(body);
  return BigInt(`0x${h.digest("hex")}`);
}

/**
 * Content hash of a config: the sum of its resource digests modulo 2^256, as 64 hex digits.
 * A multiset hash (Bellare–Micciancio MSet-Add-Hash): independent of resource order, so the
 * same content always gives the same hash, and a delta updates it in O(changed resources)
 * (`sum - old digest + new digest`). It detects drift and bugs between planes that trust each
 * other (the control plane signs nothing with it); it is not a defence against an attacker who
 * can choose thousands of resources.
 */
export function formatContentHash(sum: bigint): string {
  return (((sum % MOD) + MOD) % MOD).toString(16).padStart(64, "0");
}

/** Adds a digest to a running sum (mod 2^256). */
export function addDigest(sum: bigint, digest: bigint): bigint {
  return (sum + digest) % MOD;
}

/** Removes a digest from a running sum (mod 2^256). */
export function removeDigest(sum: bigint, digest: bigint): bigint {
  return (sum - digest + MOD) % MOD;
}

/** Content hash of a set of resources (see {@link formatContentHash}). */
export function contentHashOf(resources: Iterable<Pick<RawResource, "field" | "body">>): string {
  let sum = 0n;
  for (const r of resources) sum = addDigest(sum, resourceDigest(r.field, r.body));
  return formatContentHash(sum);
}

/**
 * Reads a resource's id (field 1, a string) from its encoding without decoding the message.
 * @returns the id, `""` when field 1 is absent
 * @throws Error when the bytes are not a valid message encoding
 */
export function resourceIdOf(body: Uint8Array): string {
  const r = new BinaryReader(body);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.LengthDelimited) return r.string();
    r.skip(wt, no);
  }
  return "";
}

/** Encodes one typed resource. */
export function encodeResource(field: number, message: Message): RawResource {
  const kind = KIND_BY_FIELD.get(field);
  if (!kind) throw new RangeError(`Snapshot field ${field} is not a resource kind`);
  const body = toBinary(kind.schema, message);
  return { field, id: (message as unknown as { id: string }).id, body };
}

/** Decodes one resource of a known kind into its typed message. */
export function decodeResource(field: number, body: Uint8Array): Message {
  const kind = KIND_BY_FIELD.get(field);
  if (!kind) throw new RangeError(`Snapshot field ${field} is not a resource kind`);
  return fromBinary(kind.schema, body) as Message;
}

/** Every resource of a typed snapshot, encoded, in snapshot order. */
export function encodeResources(snapshot: Snapshot): RawResource[] {
  const out: RawResource[] = [];
  for (const k of RESOURCE_KINDS) {
    for (const m of (snapshot as unknown as Record<string, Message[]>)[k.localName] ?? []) {
      out.push(encodeResource(k.field, m));
    }
  }
  return out;
}

/** Header fields of a snapshot besides its resources. */
export interface SnapshotHeader {
  readonly version: bigint;
  readonly hash: string;
  /** Unix ms of the publish. */
  readonly createdAtMs: bigint;
}

/**
 * Encodes a `palisade.config.v1.Snapshot` from resource bytes, without re-encoding any
 * resource (a repeated message field is the concatenation of its length-delimited elements).
 * Resources are written in the order given.
 */
export function encodeSnapshotBytes(header: SnapshotHeader, resources: Iterable<RawResource>): Uint8Array {
  const w = new BinaryWriter();
  if (header.version !== 0n) w.tag(1, WireType.Varint).uint64(header.version);
  if (header.hash !== "") w.tag(2, WireType.LengthDelimited).string(header.hash);
  for (const r of resources) w.tag(r.field, WireType.LengthDelimited).bytes(r.body);
  if (header.createdAtMs !== 0n) w.tag(7, WireType.Varint).int64(header.createdAtMs);
  return w.finish();
}

/**
 * Splits an encoded `Snapshot` into its header and resource bytes (no resource is decoded).
 * Resources of a kind this build does not know are kept (their ids read from field 1).
 * @throws Error when the bytes are not a valid Snapshot encoding
 */
export function decodeSnapshotBytes(bytes: Uint8Array): SnapshotHeader & { resources: RawResource[] } {
  const r = new BinaryReader(bytes);
  let version = 0n;
  let hash = "";
  let createdAtMs = 0n;
  const resources: RawResource[] = [];
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.Varint) version = BigInt(r.uint64());
    else if (no === 2 && wt === WireType.LengthDelimited) hash = r.string();
    else if (no === 7 && wt === WireType.Varint) createdAtMs = BigInt(r.int64());
    else if (wt === WireType.LengthDelimited && no >= 3 && !NON_RESOURCE_FIELDS.has(no)) {
      const body = r.bytes();
      resources.push({ field: no, id: resourceIdOf(body), body });
    } else r.skip(wt, no);
  }
  return { version, hash, createdAtMs, resources };
}

/**
 * Builds a typed snapshot from decoded resources, given per kind in their canonical order (by id:
 * resources with the same content then always compile the same way, whatever order they came in).
 * @param copy false to share the given arrays (the caller never mutates them afterwards)
 */
export function snapshotFromMessages(
  header: SnapshotHeader,
  byField: ReadonlyMap<number, readonly Message[]>,
  copy = true,
): Snapshot {
  const s = create(SnapshotSchema, { version: header.version, hash: header.hash, createdAtMs: header.createdAtMs });
  const lists = s as unknown as Record<string, readonly Message[]>;
  for (const k of RESOURCE_KINDS) {
    const given = byField.get(k.field) ?? [];
    lists[k.localName] = copy ? [...given] : given;
  }
  // Snapshot-wide settings travel as one resource (field 11); fields 9 and 10 are rebuilt from it.
  const settings = s.settings[0];
  if (settings) {
    s.globalPolicyIds = [...settings.globalPolicyIds];
    if (settings.requestSettings) s.requestSettings = settings.requestSettings;
  }
  return s;
}

/** Sort comparator of resources by id (code-unit order, as the control plane sorts). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
