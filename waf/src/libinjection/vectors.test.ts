import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { vectorExceptions } from "./outlier-lists.js";
import { actualOutput, loadVectors, parseVector, type VectorKind } from "./vectors.js";

const vectors = loadVectors();
const exceptions = vectorExceptions();

describe("libinjection test vectors (third_party/libinjection/tests)", () => {
  test("all 480 vector files are read, of the four kinds", () => {
    assert.equal(vectors.length, 480);
    const kinds = new Map<VectorKind, number>();
    for (const v of vectors) kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(kinds), { folding: 118, html5: 63, sqli: 50, tokens: 249 });
  });

  for (const kind of ["tokens", "folding", "sqli", "html5"] as const) {
    test(`every ${kind} vector matches, or is a listed exception`, () => {
      const unexpected: string[] = [];
      const nowPassing: string[] = [];
      for (const v of vectors.filter((x) => x.kind === kind)) {
        const actual = actualOutput(v);
        const listed = exceptions.has(v.file);
        if (actual !== v.expected && !listed) {
          unexpected.push(
            `${v.file} (${v.description})\n  input: ${JSON.stringify(v.input)}\n  expected:\n${v.expected}\n  actual:\n${actual}`,
          );
        } else if (actual === v.expected && listed) {
          nowPassing.push(`${v.file}: listed in vector-exceptions.txt but now matches; remove it`);
        }
      }
      assert.deepEqual([...unexpected, ...nowPassing], []);
    });
  }

  test("every listed exception names a vector file", () => {
    const files = new Set(vectors.map((v) => v.file));
    for (const file of exceptions.keys()) assert.ok(files.has(file), `vector-exceptions.txt: no ${file}`);
  });

  test("the vector format: input up to the newline before --EXPECTED--, trailing blank lines dropped", () => {
    const v = parseVector("test-sqli-900.txt", "--TEST--\nsomething\n--INPUT--\n1 --x\n;\n--EXPECTED--\n1c\n\n\n");
    assert.deepEqual(
      { kind: v.kind, description: v.description, input: v.input, expected: v.expected },
      { kind: "sqli", description: "something", input: "1 --x\n;", expected: "1c" },
    );
    assert.throws(() => parseVector("test-other-1.txt", "--TEST--\n--INPUT--\n--EXPECTED--\n"), /unknown test kind/);
  });
});
