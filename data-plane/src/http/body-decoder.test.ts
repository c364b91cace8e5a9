// The body decoder: Content-Length, chunked (strict sizes, extensions, trailers) and until-close,
// every refusal, backpressure, and that any split of the bytes decodes the same.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BodyDecoder, type BodySink } from "./body-decoder.js";
import { INVALID } from "./field-line.js";
import { BodyKind } from "./request-head.js";

interface Decoded {
  body: string;
  /** Bytes after the body (the next message). */
  rest: string;
  trailers: Record<string, unknown>;
}

/** Decodes `raw` fed in pieces cut at `cuts`: the body, or the error reason. */
function decode(raw: string, kind: BodyKind = BodyKind.Chunked, length = 0, cuts: number[] = []): Decoded | string {
  const d = new BodyDecoder(256, 4);
  d.reset(kind, length);
  const bytes = Buffer.from(raw, "latin1");
  const parts: Buffer[] = [];
  const sink: BodySink = { onBodyData: (b) => parts.push(Buffer.from(b)) > 0 };
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1))), bytes.length].sort((a, b) => a - b);
  let prev = 0;
  let pos = -1;
  for (const at of points) {
    if (at < prev) continue;
    const chunk = bytes.subarray(prev, at);
    const r = d.decode(chunk, 0, chunk.length, sink);
    if (r === INVALID) return d.error!;
    prev = at;
    if (d.complete) {
      pos = at - chunk.length + r;
      break;
    }
  }
  if (!d.complete && !d.finish()) return d.error!;
  return {
    body: Buffer.concat(parts).toString("latin1"),
    rest: pos < 0 ? "" : bytes.subarray(pos).toString("latin1"),
    trailers: d.trailers.toObject(),
  };
}

test("chunked: sizes in either case, extensions, trailers; what follows is the next message", () => {
  assert.deepEqual(decode("5\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\nGET /next"), {
    body: "hello0123456789",
    rest: "GET /next",
    trailers: {},
  });
  assert.deepEqual(decode('3;a;b=tok;c="q \\" ;x"\r\nabc\r\n0;z=1\r\nX-T: 1\r\nx-u:  v \r\n\r\n'), {
    body: "abc",
    rest: "",
    trailers: { "x-t": "1", "x-u": "v" },
  });
  assert.deepEqual(decode("000a\r\n0123456789\r\n00\r\n\r\n"), { body: "0123456789", rest: "", trailers: {} });
});

test("chunked refusals: sizes, extensions, data longer than declared, trailers, an early end", () => {
  const cases: Array<[string, string]> = [
    ["\r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["5 \r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    [" 5\r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["0x5\r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["-5\r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["+5\r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["5\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["5\rhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["fffffffffffffff\r\nx", "chunk_size_invalid"],
    ["5 ;a=b\r\nhello\r\n0\r\n\r\n", "chunk_size_invalid"],
    ["5; a=b\r\nhello\r\n0\r\n\r\n", "chunk_extension_invalid"],
    ["5;a = b\r\nhello\r\n0\r\n\r\n", "chunk_extension_invalid"],
    ["5;=b\r\nhello\r\n0\r\n\r\n", "chunk_extension_invalid"],
    ['5;a="b\r\nhello\r\n0\r\n\r\n', "chunk_extension_invalid"],
    ['5;a="b\nc"\r\nhello\r\n0\r\n\r\n', "chunk_extension_invalid"],
    ['5;a="b"c\r\nhello\r\n0\r\n\r\n', "chunk_extension_invalid"],
    ["5;a=\x01\r\nhello\r\n0\r\n\r\n", "chunk_extension_invalid"],
    [`5;${"a".repeat(17_000)}\r\nhello\r\n0\r\n\r\n`, "chunk_extension_invalid"],
    ["5\r\nhelloX\r\n0\r\n\r\n", "chunk_data_overrun"],
    ["5\r\nhello\n0\r\n\r\n", "chunk_data_overrun"],
    ["5\r\nhello\r0\r\n\r\n", "chunk_data_overrun"],
    ["0\r\nX-T 1\r\n\r\n", "trailer_invalid"],
    ["0\r\nX-T: a\x00\r\n\r\n", "trailer_invalid"],
    ["0\r\n X: 1\r\n\r\n", "trailer_invalid"],
    ["0\r\n\n", "trailer_invalid"],
    ["0\r\n\rX", "trailer_invalid"],
    [`0\r\nX: ${"v".repeat(300)}\r\n\r\n`, "trailer_too_large"],
    ["0\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", "trailer_too_large"],
    ["5\r\nhel", "message_incomplete"],
    ["5\r\nhello\r\n", "message_incomplete"],
  ];
  for (const [raw, why] of cases) assert.equal(decode(raw), why, JSON.stringify(raw.slice(0, 40)));
});

test("Content-Length and until-close bodies; an early end is incomplete for the former only", () => {
  assert.deepEqual(decode("abcdefGET", BodyKind.Length, 6), { body: "abcdef", rest: "GET", trailers: {} });
  assert.equal(decode("abc", BodyKind.Length, 6), "message_incomplete");
  assert.deepEqual(decode("all of it", BodyKind.UntilClose), { body: "all of it", rest: "", trailers: {} });
});

test("backpressure: decoding stops after the chunk the sink refused, and resumes where it stopped", () => {
  const d = new BodyDecoder(256, 4);
  d.reset(BodyKind.Chunked);
  const bytes = Buffer.from("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
  const got: string[] = [];
  const sink: BodySink = { onBodyData: (b) => got.push(b.toString()) === 0 };
  const first = d.decode(bytes, 0, bytes.length, sink);
  assert.deepEqual(got, ["abc"]);
  const second = d.decode(bytes, first, bytes.length, sink);
  assert.deepEqual(got, ["abc", "def"]);
  const end = d.decode(bytes, second, bytes.length, sink);
  assert.equal(end, bytes.length);
  assert.equal(d.complete, true);
  assert.equal(d.received, 6);
});

const chunkedBody = fc
  .record({
    chunks: fc.array(fc.string({ unit: fc.constantFrom(..."ab\r\n0;\x00\xff"), minLength: 1, maxLength: 20 }), {
      maxLength: 5,
    }),
    ext: fc.constantFrom("", ";a", ";a=b", ';q="x y"'),
    trailers: fc.constantFrom("", "X-T: 1\r\n", "A: 1\r\nB: 2\r\n"),
    upper: fc.boolean(),
  })
  .map(({ chunks, ext, trailers, upper }) => {
    const hex = (n: number) => (upper ? n.toString(16).toUpperCase() : n.toString(16));
    const body = chunks.map((c) => `${hex(c.length)}${ext}\r\n${c}\r\n`).join("");
    return { raw: `${body}0${ext}\r\n${trailers}\r\nNEXT`, data: chunks.join("") };
  });

test("any split of a chunked body decodes the same data, trailers and rest (property)", () => {
  fc.assert(
    fc.property(chunkedBody, fc.array(fc.nat(), { maxLength: 8 }), ({ raw, data }, cuts) => {
      const whole = decode(raw);
      assert.ok(typeof whole === "object", `${JSON.stringify(raw)}: ${whole}`);
      assert.equal(whole.body, data);
      assert.equal(whole.rest, "NEXT");
      assert.deepEqual(decode(raw, BodyKind.Chunked, 0, cuts), whole);
    }),
    { numRuns: 400 },
  );
});
