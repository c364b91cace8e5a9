import { Transform, type TransformCallback } from "node:stream";

/** The streamed request body passed its limit. */
export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
  readonly code = "BODY_TOO_LARGE";
}

/**
 * Counts the request body bytes as they stream to the upstream (after node undid the chunked
 * coding) and fails the stream at the first byte past `maxBytes`. The chunk that crosses the
 * limit is not passed on, so the upstream receives at most `maxBytes`; the failing stream makes
 * undici abort the upstream request (its connection is destroyed before the last chunk), so the
 * upstream never sees a complete oversized request.
 */
export class BodyLimit extends Transform {
  readonly #max: number;
  #seen = 0;

  /** @param maxBytes largest body allowed, bytes */
  constructor(maxBytes: number) {
    super();
    this.#max = maxBytes;
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#seen;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#max) {
      done(new BodyTooLargeError(`request body over ${this.#max} bytes`));
      return;
    }
    done(null, chunk);
  }
}
