/**
 * Wazuh's decoding phase for logs without a syslog program name (what reaches the decoders for
 * an RFC 5424 message), after analysisd's DecodeEvent (src/analysisd/decoders/decoder.c, 4.x):
 * parents by `prematch`; the first child whose `prematch` matches (or that has none); then that
 * child and its same-named siblings in turn: `plugin_decoder` JSON_Decoder or `regex` + `order`.
 * Offsets: `after_parent` = after the parent's prematch, `after_prematch` = after the chosen
 * child's prematch (the parent's when the child has none). JSON_Decoder flattens objects with
 * dots (`event.action`), prints integers as integers and other numbers with six decimals,
 * joins arrays of scalars with commas, and skips arrays of objects (json_decoder.c).
 *
 * Not modelled (refused when a file uses them): program_name, accumulate, fts, var, type,
 * other plugin decoders, json_null_field and json_array_structure options.
 */
import { compileExpression, type ExpressionType } from "./os-regex.js";
import type { XmlElement } from "./wazuh-xml.js";

type Offset = "after_parent" | "after_prematch" | "after_regex" | null;

interface Expr {
  readonly re: RegExp;
  readonly offset: Offset;
}

interface Decoder {
  readonly name: string;
  readonly parent: string | null;
  readonly prematch: Expr | null;
  readonly regex: Expr | null;
  readonly order: readonly string[];
  readonly plugin: { readonly offset: Offset } | null;
  /** The next decoder (same parent) has the same name: run it too. */
  getNext: boolean;
}

/** The result of decoding one log. */
export interface Decoded {
  /** The decoder name rules see (`decoded_as`): the parent's. */
  readonly decoder: string;
  /** Static (`srcip` …) and dynamic (`event.action` …) fields, by name. */
  readonly fields: ReadonlyMap<string, string>;
}

function expr(e: XmlElement, where: string): Expr {
  const type = (e.attrs.type ?? "osregex") as ExpressionType;
  if (!["osregex", "osmatch", "pcre2"].includes(type)) throw new Error(`${where}: regex type ${type}`);
  const offset = (e.attrs.offset ?? null) as Offset;
  if (offset !== null && !["after_parent", "after_prematch", "after_regex"].includes(offset)) {
    throw new Error(`${where}: offset ${offset}`);
  }
  return { re: compileExpression(e.text, type), offset };
}

/** Flattens a parsed JSON value the way Wazuh's JSON_Decoder does. */
export function flattenJson(v: unknown, prefix: string | null, out: Map<string, string>): void {
  if (v === null || typeof v !== "object") {
    if (prefix === null) return;
    if (typeof v === "number") out.set(prefix, Number.isInteger(v) ? String(v) : v.toFixed(6));
    else out.set(prefix, v === null ? "null" : String(v));
    return;
  }
  if (Array.isArray(v)) {
    if (prefix === null) return;
    const scalars = v.filter((x) => x === null || typeof x !== "object");
    if (scalars.length > 0) out.set(prefix, scalars.map((x) => (x === null ? "null" : String(x))).join(","));
    return;
  }
  for (const [k, x] of Object.entries(v)) flattenJson(x, prefix === null ? k : `${prefix}.${k}`, out);
}

/** A set of Wazuh decoders, as loaded from decoder files. */
export class WazuhDecoders {
  readonly #decoders: Decoder[] = [];

  /**
   * @param files the top-level elements of each decoder file, in load order
   * @throws Error for an element or option outside the supported subset
   */
  constructor(files: readonly (readonly XmlElement[])[]) {
    for (const elements of files) {
      for (const el of elements) {
        if (el.name !== "decoder") throw new Error(`unsupported top-level element <${el.name}> in a decoder file`);
        const name = el.attrs.name;
        if (!name) throw new Error("a decoder without a name");
        let parent: string | null = null;
        let prematch: Expr | null = null;
        let regex: Expr | null = null;
        let order: string[] = [];
        let plugin: Decoder["plugin"] = null;
        for (const c of el.children) {
          const where = `decoder ${name} <${c.name}>`;
          if (c.name === "parent") parent = c.text;
          else if (c.name === "prematch") prematch = expr(c, where);
          else if (c.name === "regex") regex = expr(c, where);
          else if (c.name === "order") order = c.text.split(",").map((s) => s.trim());
          else if (c.name === "plugin_decoder") {
            if (c.text !== "JSON_Decoder") throw new Error(`${where}: only JSON_Decoder is modelled`);
            plugin = { offset: (c.attrs.offset ?? null) as Offset };
          } else throw new Error(`${where}: not modelled by this evaluator`);
        }
        const prev = this.#decoders.at(-1);
        if (prev && parent !== null && prev.parent === parent && prev.name === name) prev.getNext = true;
        this.#decoders.push({ name, parent, prematch, regex, order, plugin, getNext: false });
      }
    }
  }

  /**
   * Decodes one log line (as wazuh-remoted hands it on: PRI removed).
   * @returns `null` when no decoder matched
   */
  decode(log: string): Decoded | null {
    for (const node of this.#decoders) {
      if (node.parent !== null || node.prematch === null) continue;
      const pm = node.prematch.re.exec(log);
      if (!pm) continue;
      const pmatch = pm.index + pm[0].length;
      const fields = new Map<string, string>();
      const children = this.#decoders.filter((d) => d.parent === node.name);
      let i = 0;
      let cmatch = pmatch;
      let afterParent: number | null = null;
      let chosen: Decoder | undefined;
      if (children.length === 0) chosen = node;
      else {
        while (i < children.length) {
          const c = children[i]!;
          if (c.prematch === null) {
            chosen = c;
            break;
          }
          const base = c.prematch.offset === "after_parent" ? pmatch : 0;
          const m = c.prematch.re.exec(log.slice(base));
          if (m) {
            cmatch = base + m.index + m[0].length;
            afterParent = pmatch;
            chosen = c;
            break;
          }
          // A failed sibling group is skipped whole.
          if (c.getNext) while (i < children.length && children[i]!.getNext) i++;
          i++;
        }
      }
      if (!chosen) return { decoder: node.name, fields };
      // The decoder whose options the JSON plugin reads: the child when its prematch matched, else the parent.
      const info = afterParent !== null ? chosen : node;
      let cur: Decoder | undefined = chosen;
      let prevRegexEnd: number | null = null;
      while (cur) {
        if (cur.plugin) {
          const offset = info.plugin?.offset ?? null;
          const start = offset === "after_prematch" ? cmatch : offset === "after_parent" ? afterParent : 0;
          if (start !== null) {
            try {
              flattenJson(JSON.parse(log.slice(start)), null, fields);
            } catch {
              // Wazuh logs "Malformed JSON string" at debug level and decodes nothing.
            }
          }
        } else if (cur.regex) {
          const off = cur.regex.offset;
          const start: number =
            off === "after_parent"
              ? pmatch
              : off === "after_prematch"
                ? cmatch
                : off === "after_regex"
                  ? (prevRegexEnd ?? cmatch)
                  : 0;
          const m = cur.regex.re.exec(log.slice(start));
          if (!m) {
            if (!cur.getNext) break;
          } else {
            prevRegexEnd = start + m.index + m[0].length;
            m.slice(1).forEach((v, k) => {
              const key = cur!.order[k];
              if (key !== undefined && v !== undefined) fields.set(key, v);
            });
          }
        } else break;
        cur = cur.getNext ? children[children.indexOf(cur) + 1] : undefined;
      }
      return { decoder: node.name, fields };
    }
    return null;
  }
}
