// Test certificates made with the machine's openssl (scripts/test.mjs makes sure it is there):
// a throwaway CA and leaf certificates it signs, ECDSA P-256, valid two days.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM certificate and its key. */
export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"];

/** A test CA that signs leaf certificates for DNS names. */
export class TestCa implements PemPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly #dir: string;

  constructor(name = "Palisade Test CA") {
    this.#dir = mkdtempSync(join(tmpdir(), "palisade-ca-"));
    execFileSync("openssl", ["req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-subj", `/CN=${name}`], {
      cwd: this.#dir,
      stdio: "pipe",
    });
    this.certPem = readFileSync(join(this.#dir, "ca.crt"), "utf8");
    this.keyPem = readFileSync(join(this.#dir, "ca.key"), "utf8");
  }

  /**
   * A leaf for `names` (first = CN, all = DNS subjectAltNames), signed by this CA: ECDSA P-256,
   * or RSA with `opts.rsaBits` bits.
   */
  issue(names: readonly string[], opts: { rsaBits?: number } = {}): PemPair {
    const keyArgs =
      opts.rsaBits === undefined ? EC : ["-newkey", `rsa:${opts.rsaBits}`, ...EC.slice(EC.indexOf("-nodes"))];
    const dir = mkdtempSync(join(this.#dir, "leaf-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-CA",
        join(this.#dir, "ca.crt"),
        "-CAkey",
        join(this.#dir, "ca.key"),
        ...keyArgs,
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.crt",
        "-subj",
        `/CN=${names[0]}`,
        "-addext",
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
        "-addext",
        "basicConstraints=critical,CA:FALSE",
      ],
      { cwd: dir, stdio: "pipe" },
    );
    return {
      certPem: readFileSync(join(dir, "leaf.crt"), "utf8"),
      keyPem: readFileSync(join(dir, "leaf.key"), "utf8"),
    };
  }

  /** Deletes the CA's files. */
  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
