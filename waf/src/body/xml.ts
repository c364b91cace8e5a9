import type { ByteString } from "../bytes.js";
import type { Arg, BodyLimits, ParsedBody, XmlDocument } from "./body-processor.js";
import { indexOfClass, indexOrEnd } from "./scan.js";
import { utf8Encode } from "./utf8-encode.js";

/** libxml2's default nesting limit (without XML_PARSE_HUGE), which ModSecurity's XML processor inherits. */
const XML_MAX_DEPTH = 256;

/** The five entities XML 1.0 §4.6 predefines. */
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/**
 * The XML request body processor (`text/xml`, `application/xml`, `+xml` when the engine selects
 * it): a small non-validating XML 1.0 parser that checks well-formedness the way libxml2 (behind
 * ModSecurity's XML processor) does, builds the element tree, and precomputes what CRS's two
 * XPath targets select: `XML:/*` (the root's text content) and `XML://@*` (every attribute).
 * XML populates no ARGS.
 *
 * Safe by construction: a DOCTYPE is skipped, never read — no DTD is loaded, no entity is
 * declared or expanded (no XXE, no "billion laughs"). References to the five predefined
 * entities and character references are decoded (to UTF-8); a reference to any other entity is
 * an error without a DOCTYPE (libxml2: "Entity 'x' not defined") and is kept as the literal text
 * `&x;` with one. Line ends are normalised (§2.11) and attribute values as CDATA attributes
 * (§3.3.3: literal TAB, CR, LF become spaces; character references are kept).
 *
 * Errors (REQBODY_ERROR, `xml` absent): anything not well-formed — unclosed or mismatched tags,
 * duplicate attributes, `<` in an attribute value, a control byte outside TAB/CR/LF, `]]>` in
 * text, `--` inside a comment, content after the root element, no root element — and nesting
 * deeper than `maxDepth` (default 256, libxml2's). Bytes are otherwise taken as they are: the
 * encoding declaration is not acted on and UTF-8 is not validated; UTF-16 (by its byte-order
 * mark) is refused. An empty body parses to nothing, as ModSecurity runs no processor then.
 */
export function parseXml(body: ByteString, limits: BodyLimits = {}): ParsedBody {
  if (body.length === 0) return { args: [], error: null };
  const parser = new XmlParser(body, limits.maxDepth ?? XML_MAX_DEPTH);
  const result = parser.run();
  return typeof result === "string" ? { args: [], error: result } : { args: [], error: null, xml: result };
}

/** Thrown inside the parser only and caught by `run`; its message is the REQBODY_ERROR_MSG. */
class XmlSyntaxError extends Error {}

interface MutableElement {
  name: string;
  attributes: Arg[];
  children: Array<MutableElement | string>;
}

class XmlParser {
  readonly #s: string;
  readonly #maxDepth: number;
  #i = 0;
  #doctype = false;
  /** Next `&`, control byte and `]]>` at or after the text being read (n when none; -1 before the first search). */
  #nextAmp = -1;
  #nextControl = -1;
  #nextCdataEnd = -1;
  readonly #text: string[] = [];
  readonly #attributes: Arg[] = [];

  constructor(s: string, maxDepth: number) {
    this.#s = s;
    this.#maxDepth = maxDepth;
  }

  run(): XmlDocument | string {
    try {
      const s = this.#s;
      if (s.startsWith("\xfe\xff") || s.startsWith("\xff\xfe")) this.#fail("UTF-16 documents are not supported");
      if (s.startsWith("\xef\xbb\xbf")) this.#i = 3;
      if (s.startsWith("<?xml", this.#i) && isSpace(s.charCodeAt(this.#i + 5))) this.#pi(true);
      this.#misc(true);
      if (this.#i >= s.length || s.charCodeAt(this.#i) !== 60) this.#fail("root element expected");
      const root = this.#element(1);
      this.#misc(false);
      if (this.#i < s.length) this.#fail("content after the root element");
      return { root, text: this.#text.join(""), attributes: this.#attributes };
    } catch (e) {
      if (e instanceof XmlSyntaxError) return e.message;
      return `XML parsing error: ${String(e)}`; // not reached: the parser throws nothing else
    }
  }

  #fail(reason: string): never {
    throw new XmlSyntaxError(`XML parsing error: ${reason} at byte ${this.#i}`);
  }

  /** Comments, processing instructions and whitespace; a DOCTYPE too when `prolog`. */
  #misc(prolog: boolean): void {
    const s = this.#s;
    for (;;) {
      while (isSpace(s.charCodeAt(this.#i))) this.#i++;
      if (s.startsWith("<!--", this.#i)) this.#comment();
      else if (s.startsWith("<?", this.#i)) this.#pi();
      else if (prolog && !this.#doctype && s.startsWith("<!DOCTYPE", this.#i)) this.#skipDoctype();
      else return;
    }
  }

  #comment(): void {
    const end = this.#s.indexOf("--", this.#i + 4);
    if (end < 0) this.#fail("unterminated comment");
    if (this.#s.charCodeAt(end + 2) !== 62) {
      this.#i = end;
      this.#fail("'--' inside a comment");
    }
    this.#i = end + 3;
  }

  /** A processing instruction, or the XML declaration when `declaration` (it may only open the document). */
  #pi(declaration = false): void {
    const start = this.#i + 2;
    const end = this.#s.indexOf("?>", start);
    if (end < 0) this.#fail("unterminated processing instruction");
    let nameEnd = start;
    while (nameEnd < end && !isSpace(this.#s.charCodeAt(nameEnd))) nameEnd++;
    const target = this.#s.slice(start, nameEnd);
    if (target.length === 0) this.#fail("processing instruction without a target");
    if (target.toLowerCase() === "xml" && !declaration) this.#fail("XML declaration not at the start");
    this.#i = end + 2;
  }

  /** Skips `<!DOCTYPE …>` including an internal subset, reading none of it. */
  #skipDoctype(): void {
    const s = this.#s;
    this.#doctype = true;
    let i = this.#i + 9;
    let bracket = false;
    for (;;) {
      if (i >= s.length) this.#fail("unterminated DOCTYPE");
      const c = s.charCodeAt(i);
      if (c === 34 || c === 39) {
        const close = s.indexOf(String.fromCharCode(c), i + 1);
        if (close < 0) this.#fail("unterminated literal in DOCTYPE");
        i = close + 1;
      } else if (bracket && s.startsWith("<!--", i)) {
        const close = s.indexOf("-->", i + 4);
        if (close < 0) this.#fail("unterminated comment in DOCTYPE");
        i = close + 3;
      } else if (c === 91 && !bracket) {
        bracket = true;
        i++;
      } else if (c === 93 && bracket) {
        bracket = false;
        i++;
      } else if (c === 62 && !bracket) {
        this.#i = i + 1;
        return;
      } else {
        i++;
      }
    }
  }

  #name(): string {
    const s = this.#s;
    const start = this.#i;
    if (!isNameStart(s.charCodeAt(start))) this.#fail("name expected");
    let i = start + 1;
    while (isNameChar(s.charCodeAt(i))) i++;
    this.#i = i;
    return s.slice(start, i);
  }

  #element(depth: number): MutableElement {
    if (depth > this.#maxDepth) this.#fail(`nesting deeper than ${this.#maxDepth}`);
    const s = this.#s;
    this.#i++; // <
    const element: MutableElement = { name: this.#name(), attributes: [], children: [] };
    const seen: string[] = [];
    for (;;) {
      const hadSpace = isSpace(s.charCodeAt(this.#i));
      while (isSpace(s.charCodeAt(this.#i))) this.#i++;
      const c = s.charCodeAt(this.#i);
      if (c === 62) {
        this.#i++;
        break;
      }
      if (c === 47 && s.charCodeAt(this.#i + 1) === 62) {
        this.#i += 2;
        return element;
      }
      if (!hadSpace)
        this.#fail(this.#i >= s.length ? "unterminated start tag" : "whitespace expected before an attribute");
      const name = this.#name();
      while (isSpace(s.charCodeAt(this.#i))) this.#i++;
      if (s.charCodeAt(this.#i) !== 61) this.#fail(`'=' expected after attribute ${name}`);
      this.#i++;
      while (isSpace(s.charCodeAt(this.#i))) this.#i++;
      const value = this.#attributeValue();
      if (seen.includes(name)) this.#fail(`attribute ${name} repeated`);
      seen.push(name);
      if (name === "xmlns" || name.startsWith("xmlns:")) continue; // namespace declarations are not attributes in XPath
      element.attributes.push([name, value]);
      this.#attributes.push([name, value]);
    }
    this.#content(element, depth);
    return element;
  }

  #attributeValue(): string {
    const s = this.#s;
    const quote = s.charCodeAt(this.#i);
    if (quote !== 34 && quote !== 39) this.#fail("quoted attribute value expected");
    let i = this.#i + 1;
    let out = "";
    let run = i;
    for (;;) {
      if (i >= s.length) {
        this.#i = i;
        this.#fail("unterminated attribute value");
      }
      const c = s.charCodeAt(i);
      if (c === quote) break;
      if (c === 60) {
        this.#i = i;
        this.#fail("'<' in an attribute value");
      }
      if (c === 38) {
        out += s.slice(run, i);
        this.#i = i;
        out += this.#reference();
        i = run = this.#i;
        continue;
      }
      if (c < 0x20) {
        if (c !== 9 && c !== 10 && c !== 13) {
          this.#i = i;
          this.#fail("control character in an attribute value");
        }
        out += `${s.slice(run, i)} `; // §3.3.3; CR LF is one line end (§2.11), so one space
        if (c === 13 && s.charCodeAt(i + 1) === 10) i++;
        run = ++i;
        continue;
      }
      i++;
    }
    this.#i = i + 1;
    return out + s.slice(run, i);
  }

  /** Character data, references, CDATA, comments, PIs and child elements up to the end tag. */
  #content(element: MutableElement, depth: number): void {
    const s = this.#s;
    let text = "";
    const flush = () => {
      if (text.length > 0) {
        element.children.push(text);
        this.#text.push(text);
        text = "";
      }
    };
    for (;;) {
      const start = this.#i;
      const n = s.length;
      if (this.#nextAmp < start) this.#nextAmp = indexOrEnd(s.indexOf("&", start), n);
      if (this.#nextCdataEnd < start) this.#nextCdataEnd = indexOrEnd(s.indexOf("]]>", start), n);
      if (this.#nextControl < start) {
        this.#nextControl = indexOfClass(CONTROL, s, start);
      }
      const i = Math.min(indexOrEnd(s.indexOf("<", start), n), this.#nextAmp);
      if (this.#nextControl < i) {
        this.#i = this.#nextControl;
        this.#fail("control character in text");
      }
      if (this.#nextCdataEnd < i) {
        this.#i = this.#nextCdataEnd;
        this.#fail("']]>' in text");
      }
      if (i > start) text += normalizeLineEnds(s.slice(start, i));
      this.#i = i;
      if (i >= s.length) this.#fail(`element ${element.name} not closed`);
      if (s.charCodeAt(i) === 38) {
        text += this.#reference();
        continue;
      }
      // `<`
      if (s.charCodeAt(i + 1) === 47) {
        this.#i = i + 2;
        const name = this.#name();
        if (name !== element.name) this.#fail(`end tag ${name} does not match ${element.name}`);
        while (isSpace(s.charCodeAt(this.#i))) this.#i++;
        if (s.charCodeAt(this.#i) !== 62) this.#fail("'>' expected");
        this.#i++;
        flush();
        return;
      }
      if (s.startsWith("<!--", i)) this.#comment();
      else if (s.startsWith("<![CDATA[", i)) {
        const end = s.indexOf("]]>", i + 9);
        if (end < 0) this.#fail("unterminated CDATA section");
        text += normalizeLineEnds(s.slice(i + 9, end));
        this.#i = end + 3;
      } else if (s.startsWith("<?", i)) this.#pi();
      else if (s.charCodeAt(i + 1) === 33) this.#fail("markup declaration inside an element");
      else {
        flush();
        element.children.push(this.#element(depth + 1));
      }
    }
  }

  /** A reference at `&`: its replacement text, and moves past the `;`. */
  #reference(): string {
    const s = this.#s;
    const start = this.#i;
    const semi = s.indexOf(";", start + 1);
    if (semi < 0) this.#fail("unterminated reference");
    const body = s.slice(start + 1, semi);
    this.#i = semi + 1;
    if (body.startsWith("#")) {
      const hex = body.charCodeAt(1) === 120;
      const digits = body.slice(hex ? 2 : 1);
      const valid = digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits);
      const cp = valid ? Number.parseInt(digits, hex ? 16 : 10) : -1;
      if (!isXmlChar(cp)) {
        this.#i = start;
        this.#fail(`invalid character reference &${body};`);
      }
      return utf8Encode(cp);
    }
    const predefined = PREDEFINED[body];
    if (predefined !== undefined) return predefined;
    this.#i = start + 1;
    const name = this.#name();
    if (this.#i !== semi) this.#fail("invalid entity reference");
    this.#i = semi + 1;
    if (!this.#doctype) {
      this.#i = start;
      this.#fail(`entity '${name}' not defined`);
    }
    return `&${name};`; // declared, perhaps, in a DTD this parser does not read: never expanded
  }
}

/** Bytes XML 1.0 §2.2 does not allow anywhere (controls other than TAB, LF, CR). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control bytes is the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/g;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** NameStartChar (XML 1.0 §2.3), with every non-ASCII byte allowed (UTF-8 names). */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 0x80 && c <= 0xff);
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

/** Char (XML 1.0 §2.2). */
function isXmlChar(cp: number): boolean {
  return (
    cp === 9 ||
    cp === 10 ||
    cp === 13 ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** §2.11: CR LF and lone CR become LF. */
function normalizeLineEnds(s: string): string {
  return s.indexOf("\r") < 0 ? s : s.replace(/\r\n?/g, "\n");
}
