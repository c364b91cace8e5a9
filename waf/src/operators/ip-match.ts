import ipaddr from "ipaddr.js";
import { WafError } from "../errors.js";
import type { Operator, OperatorFactory } from "./operator.js";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `1.2.3.4`, `10.0.0.0/8`, `::1`, `2001:db8::/32` into a CIDR range. */
function parseRange(text: string): Range | null {
  try {
    if (text.includes("/")) return ipaddr.parseCIDR(text);
    const a = ipaddr.parse(text);
    return [a, a.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

/** An operator matching an IP address against CIDR ranges (IPv4-mapped IPv6 addresses count as IPv4). */
export function ipRangesOperator(name: string, entries: readonly string[]): Operator {
  const ranges: Range[] = [];
  for (const e of entries) {
    const r = parseRange(e);
    if (r === null) throw new WafError("SECLANG_BAD_OPERATOR_ARGUMENT", `@${name}: bad address or range "${e}"`);
    ranges.push(r);
  }
  return {
    name,
    evaluate(value) {
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        addr = ipaddr.process(value.trim());
      } catch {
        return false;
      }
      for (const [net, bits] of ranges) if (addr.kind() === net.kind() && addr.match(net, bits)) return true;
      return false;
    },
  };
}

/**
 * `@ipMatch 192.168.1.100,10.0.0.0/8,::1`: the value is an IP address inside one of the listed
 * addresses or CIDR ranges (reference manual, "ipMatch"; ipaddr.js parses).
 * @throws WafError SECLANG_BAD_OPERATOR_ARGUMENT on an entry that is not an address or range.
 */
export const ipMatch: OperatorFactory = (argument) =>
  ipRangesOperator(
    "ipMatch",
    argument.split(/[\s,]+/).filter((e) => e !== ""),
  );

/**
 * `@ipMatchFromFile file` (alias `@ipMatchF`): `@ipMatch` with one address or range per line of
 * a data file (`#` comments and blank lines skipped), read at compile time.
 */
export const ipMatchFromFile: OperatorFactory = (argument, env) => {
  const lines = env
    .readDataFile(argument.trim())
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return ipRangesOperator("ipMatchFromFile", lines);
};
