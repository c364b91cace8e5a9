import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { asciiLowercase } from "./ascii-case.js";
import { ChainTrie } from "./chain-trie.js";
import { TRANSFORMATIONS } from "./index.js";
import { ALWAYS, ByteClass, byteClasses, TRIGGERS, triggersOf } from "./trigger-bytes.js";

/** Every byte whose class is outside `triggers`, and a string of them. */
function without(triggers: number): fc.Arbitrary<string> {
  const allowed: string[] = [];
  for (let b = 0; b < 256; b++)
    if ((byteClasses(String.fromCharCode(b)) & triggers & ~ByteClass.Any) === 0) allowed.push(String.fromCharCode(b));
  // Dense in the punctuation the transformations look at, so near misses are tried.
  const dense = allowed.filter((c) => /[%+&\\\0\s/.*\-#"'^,;<!>xXuU0-9a-fA-F]/.test(c));
  return fc
    .array(fc.oneof(fc.constantFrom(...allowed), fc.constantFrom(...(dense.length > 0 ? dense : allowed))), {
      maxLength: 60,
    })
    .map((cs) => cs.join(""));
}

test("byteClasses: each class bit stands for its bytes", () => {
  const any = ByteClass.Any;
  assert.equal(byteClasses(""), any);
  assert.equal(byteClasses("abc_09"), any);
  assert.equal(byteClasses("A"), any | ByteClass.Upper);
  assert.equal(byteClasses("a%b+"), any | ByteClass.Percent | ByteClass.Plus);
  assert.equal(byteClasses("\t"), any | ByteClass.Space);
  assert.equal(byteClasses("\xa0"), any | ByteClass.High | ByteClass.Nbsp);
  assert.equal(byteClasses("'\""), any | ByteClass.Quote);
  assert.equal(byteClasses("\0"), any | ByteClass.Nul);
});

test("a transformation leaves a value without its trigger bytes unchanged (or only lower-cased when it folds)", () => {
  for (const [name, t] of TRIGGERS) {
    const fn = TRANSFORMATIONS.get(name);
    assert.ok(fn, `${name} is a transformation`);
    fc.assert(
      fc.property(without(t.triggers), (value) => {
        const out = fn(value);
        assert.equal(out, t.folds ? asciiLowercase(value) : value, `t:${name} on ${JSON.stringify(value)}`);
      }),
      { numRuns: 400 },
    );
  }
});

test("the trigger table covers every transformation CRS uses; the others always run", () => {
  for (const name of TRANSFORMATIONS.keys())
    if (!TRIGGERS.has(name)) assert.equal(triggersOf(name).triggers, ALWAYS, name);
  for (const name of ["urldecodeuni", "lowercase", "htmlentitydecode", "jsdecode", "cssdecode", "cmdline"])
    assert.ok(TRIGGERS.has(name), name);
});

test("a chain trie shares prefixes and accumulates triggers along a path", () => {
  const trie = new ChainTrie();
  const fns = (names: string[]) => names.map((n) => TRANSFORMATIONS.get(n)!);
  const a = trie.node(["urldecodeuni", "lowercase"], fns(["urldecodeuni", "lowercase"]));
  const b = trie.node(["urldecodeuni", "htmlentitydecode"], fns(["urldecodeuni", "htmlentitydecode"]));
  assert.equal(trie.node([], []), 0);
  assert.equal(trie.parent(a), trie.parent(b));
  assert.equal(trie.node(["urldecodeuni", "lowercase"], fns(["urldecodeuni", "lowercase"])), a);
  assert.equal(trie.pathTriggers(b), ByteClass.Percent | ByteClass.Plus | ByteClass.Ampersand);
  assert.equal(trie.pathFolds(a), true);
  assert.equal(trie.pathFolds(b), false);
  assert.equal(trie.key(b), "urldecodeuni,htmlentitydecode");
  const c = trie.node(["base64decode"], fns(["base64decode"]));
  assert.equal(trie.pathTriggers(c), ALWAYS);
});
