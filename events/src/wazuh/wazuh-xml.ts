/**
 * Reads Wazuh decoder and rule files (XML with several root elements, as Wazuh's os_xml takes
 * them) with fast-xml-parser into plain element trees: `{ name, attrs, text, children }`.
 */
import { XMLParser } from "fast-xml-parser";

/** One XML element. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly XmlElement[];
}

type Ordered = Record<string, unknown>;

function convert(node: Ordered): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ":@");
  if (name === undefined || name === "#comment") return null;
  const attrs = (node[":@"] ?? {}) as Record<string, string>;
  const content = node[name] as Ordered[];
  let text = "";
  const children: XmlElement[] = [];
  for (const c of content) {
    if ("#text" in c) text += String(c["#text"]);
    else {
      const e = convert(c);
      if (e) children.push(e);
    }
  }
  return { name, attrs, text: text.trim(), children };
}

/**
 * Parses a Wazuh XML file's text into its top-level elements, in document order.
 * @throws Error when the XML is not well formed
 */
export function parseWazuhXml(xml: string): XmlElement[] {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    commentPropName: "#comment",
  });
  const doc = parser.parse(`<root>${xml}</root>`) as Ordered[];
  const root = doc.map(convert).find((e) => e?.name === "root");
  if (!root) throw new Error("no XML content");
  return [...root.children];
}
