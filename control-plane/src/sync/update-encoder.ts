import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { ConfigUpdateSchema, StreamConfigResponseSchema } from "@palisade/proto";
import { LRUCache } from "lru-cache";

/** A config update as a session builds it, without its nonce (the part nodes share). */
export type SharedUpdate = Omit<MessageInitShape<typeof ConfigUpdateSchema>, "nonce" | "$typeName">;

const NONCE_FIELD = ConfigUpdateSchema.field.nonce.number;
const UPDATE_FIELD = StreamConfigResponseSchema.field.update.number;

/** Bytes of encoded updates kept by default: some forty full 10,000-route versions (1.5 MB each). */
export const ENCODED_UPDATES_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Encodes each config update once for every node stream that gets it. A publish offers the
 * same update to every node holding the same base (the same full update to every new node,
 * the same delta to every node in step): encoding it per node cost ~25 ms of CPU per full
 * 10,000-route update (1.5 MB), so 25 s for 1,000 nodes joining at once (bench/sync/fleet.mjs).
 * The update without its nonce is encoded once per key and kept (LRU, bounded in bytes); each
 * node's message is that body with the node's nonce field appended (protobuf fields may come in
 * any order: Protocol Buffers encoding guide, "Field order"), framed as the
 * `StreamConfigResponse.update` field: one copy, no re-encoding.
 */
export class UpdateEncoder {
  readonly #bodies: LRUCache<string, Uint8Array>;
  #encoded = 0;

  /** @param maxBytes bytes of encoded updates kept (default {@link ENCODED_UPDATES_MAX_BYTES}) */
  constructor(maxBytes = ENCODED_UPDATES_MAX_BYTES) {
    this.#bodies = new LRUCache({ maxSize: maxBytes, sizeCalculation: (b) => Math.max(1, b.byteLength) });
  }

  /** How many update bodies were encoded (cache misses) so far. */
  get encoded(): number {
    return this.#encoded;
  }

  /**
   * The encoded `StreamConfigResponse` carrying `update` with `nonce`.
   * @param key what determines the update's bytes: two calls with one key must pass the same
   *   update (the session's key: target version and hash, full/resync or the delta's base)
   * @returns a Buffer (grpc-js writes Buffers; the sync server's serializer passes it through)
   */
  frame(key: string, update: SharedUpdate, nonce: string): Buffer {
    let body = this.#bodies.get(key);
    if (body === undefined) {
      body = toBinary(ConfigUpdateSchema, create(ConfigUpdateSchema, update));
      this.#encoded++;
      this.#bodies.set(key, body);
    }
    const tail = new BinaryWriter().tag(NONCE_FIELD, WireType.LengthDelimited).string(nonce).finish();
    const length = body.byteLength + tail.byteLength;
    const head = new BinaryWriter().tag(UPDATE_FIELD, WireType.LengthDelimited).uint32(length).finish();
    const out = Buffer.allocUnsafe(head.byteLength + length);
    out.set(head, 0);
    out.set(body, head.byteLength);
    out.set(tail, head.byteLength + body.byteLength);
    return out;
  }
}
