import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ConsumerSchema } from "@palisade/proto";
import { ConsumerIndex, ConsumerIndexError, normalizeFingerprint } from "./consumers.js";

const sha = (s: string) => createHash("sha256").update(s).digest();
const consumer = (init: MessageInitShape<typeof ConsumerSchema>) => create(ConsumerSchema, init);
const FP = "ab".repeat(32);

test("API keys resolve by hash; the key itself is never stored", () => {
  const idx = new ConsumerIndex([
    consumer({
      id: "c1",
      name: "a",
      credentials: [{ id: "k", kind: { case: "apiKey", value: { sha256: sha("pk_one") } } }],
    }),
    consumer({
      id: "c2",
      name: "b",
      disabled: true,
      credentials: [{ id: "k2", kind: { case: "apiKey", value: { sha256: sha("pk_two") } } }],
    }),
  ]);
  assert.deepEqual(idx.byApiKey("pk_one")?.ref, { id: "c1", name: "a" });
  assert.equal(idx.byApiKey("pk_two")?.disabled, true);
  assert.equal(idx.byApiKey("pk_three"), undefined);
  assert.equal(idx.byApiKey("PK_ONE"), undefined);
});

test("JWT identities: by issuer and sub, or by issuer and a claim; other issuers never match", () => {
  const idx = new ConsumerIndex([
    consumer({
      id: "c1",
      name: "a",
      credentials: [{ id: "1", kind: { case: "jwt", value: { issuer: "i", subject: "u1" } } }],
    }),
    consumer({
      id: "c2",
      name: "b",
      credentials: [{ id: "2", kind: { case: "jwt", value: { issuer: "i", claim: "client_id", value: "svc" } } }],
    }),
  ]);
  assert.equal(idx.byToken({ iss: "i", sub: "u1" })?.ref.id, "c1");
  assert.equal(idx.byToken({ iss: "i", sub: "zz", client_id: "svc" })?.ref.id, "c2");
  assert.equal(idx.byToken({ iss: "other", sub: "u1" }), undefined);
  assert.equal(idx.byToken({ sub: "u1" }), undefined);
});

test("certificate identities: fingerprint, subject DN, SANs (DNS and email case-insensitive)", () => {
  const idx = new ConsumerIndex([
    consumer({
      id: "c1",
      name: "a",
      credentials: [
        { id: "1", kind: { case: "clientCert", value: { match: { case: "subjectDn", value: "CN=svc-a,O=Example" } } } },
      ],
    }),
    consumer({
      id: "c2",
      name: "b",
      credentials: [
        { id: "2", kind: { case: "clientCert", value: { match: { case: "sanDns", value: "B.example.test" } } } },
      ],
    }),
    consumer({
      id: "c3",
      name: "c",
      credentials: [
        {
          id: "3",
          kind: { case: "clientCert", value: { match: { case: "fingerprintSha256", value: FP.toUpperCase() } } },
        },
      ],
    }),
  ]);
  const facts = { subjectDn: "", sanDns: [], sanUri: [], sanEmail: [], fingerprintSha256: "" };
  assert.equal(idx.byCertificate({ ...facts, subjectDn: "CN=svc-a,O=Example" })?.ref.id, "c1");
  assert.equal(idx.byCertificate({ ...facts, sanDns: ["b.EXAMPLE.test"] })?.ref.id, "c2");
  assert.equal(idx.byCertificate({ ...facts, fingerprintSha256: FP })?.ref.id, "c3");
  assert.equal(idx.byCertificate({ ...facts, subjectDn: "CN=svc-b" }), undefined);
  assert.equal(normalizeFingerprint(`${"AB:".repeat(31)}AB`), FP);
  assert.equal(normalizeFingerprint("xyz"), undefined);
});

test("an identity owned twice, a short hash or an empty credential refuses the index", () => {
  const bad = [
    [
      consumer({
        id: "a",
        name: "a",
        credentials: [{ id: "1", kind: { case: "jwt", value: { issuer: "i", subject: "u" } } }],
      }),
      consumer({
        id: "b",
        name: "b",
        credentials: [{ id: "2", kind: { case: "jwt", value: { issuer: "i", subject: "u" } } }],
      }),
    ],
    [
      consumer({
        id: "a",
        name: "a",
        credentials: [{ id: "1", kind: { case: "apiKey", value: { sha256: new Uint8Array(8) } } }],
      }),
    ],
    [consumer({ id: "a", name: "a", credentials: [{ id: "1" }] })],
    [consumer({ id: "a", name: "a", credentials: [{ id: "1", kind: { case: "jwt", value: { issuer: "i" } } }] })],
    [consumer({ id: "a", name: "a" }), consumer({ id: "a", name: "dup" })],
  ];
  for (const list of bad) assert.throws(() => new ConsumerIndex(list), ConsumerIndexError);
});
