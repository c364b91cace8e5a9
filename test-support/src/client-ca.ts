// Test CAs for client certificates, made with the machine's openssl (scripts/test.mjs makes sure
// it is there): `openssl ca` so that validity windows (an expired certificate) and extensions
// (extended key usage, SANs) can be chosen. ECDSA P-256.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM certificate and its key. */
export interface ClientPem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** What a client certificate holds. */
export interface ClientCertSpec {
  /** Subject as an openssl `-subj` string, e.g. `/O=Example/CN=svc-a`. */
  readonly subject: string;
  /**
   * SANs in openssl form, e.g. `["DNS:svc-a.example.test", "URI:spiffe://example/svc-a"]`; a
   * value may hold a comma (`URI:spiffe://x/a,b`).
   */
  readonly sans?: readonly string[];
  /** Already expired (valid for one day in 2020). */
  readonly expired?: boolean;
  /** Extended key usage, default `clientAuth`. */
  readonly eku?: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A throwaway CA that issues client certificates. */
export class ClientCa {
  readonly certPem: string;
  readonly #dir: string;
  #n = 0;

  constructor(name = "Palisade Client CA") {
    this.#dir = mkdtempSync(join(tmpdir(), "palisade-client-ca-"));
    const run = (args: string[]) => execFileSync("openssl", args, { cwd: this.#dir, stdio: "pipe" });
    run(["req", "-x509", ...EC, "-days", "2", "-keyout", "ca.key", "-out", "ca.crt", "-subj", `/CN=${name}`]);
    writeFileSync(join(this.#dir, "index.txt"), "");
    writeFileSync(join(this.#dir, "serial"), "1000\n");
    writeFileSync(
      join(this.#dir, "ca.cnf"),
      [
        "[ca]",
        "default_ca = d",
        "[d]",
        "dir = .",
        "database = index.txt",
        "new_certs_dir = .",
        "serial = serial",
        "default_md = sha256",
        "policy = any",
        "unique_subject = no",
        // The policy's order is the certificate's DN order: most significant first, as usual.
        "[any]",
        "countryName = optional",
        "organizationName = optional",
        "commonName = supplied",
      ].join("\n"),
    );
    this.certPem = readFileSync(join(this.#dir, "ca.crt"), "utf8");
  }

  /** Issues a client certificate. */
  issue(spec: ClientCertSpec): ClientPem {
    const n = ++this.#n;
    const run = (args: string[]) => execFileSync("openssl", args, { cwd: this.#dir, stdio: "pipe" });
    run(["req", ...EC, "-keyout", `c${n}.key`, "-out", `c${n}.csr`, "-subj", spec.subject]);
    const ext = ["basicConstraints=critical,CA:FALSE", `extendedKeyUsage=${spec.eku ?? "clientAuth"}`];
    if (spec.sans?.some((s) => s.includes(","))) {
      // A SAN value holding a comma needs openssl's section form (`URI.1 = "a,b"`).
      ext.push("subjectAltName=@alt", "[alt]");
      spec.sans.forEach((s, i) => {
        const colon = s.indexOf(":");
        ext.push(`${s.slice(0, colon)}.${i + 1} = "${s.slice(colon + 1)}"`);
      });
    } else if (spec.sans?.length) ext.push(`subjectAltName=${spec.sans.join(",")}`);
    writeFileSync(join(this.#dir, `c${n}.ext`), ext.join("\n"));
    const validity = spec.expired ? ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"] : ["-days", "2"];
    run([
      "ca",
      "-batch",
      "-notext",
      "-config",
      "ca.cnf",
      "-cert",
      "ca.crt",
      "-keyfile",
      "ca.key",
      "-in",
      `c${n}.csr`,
      "-out",
      `c${n}.crt`,
      "-extfile",
      `c${n}.ext`,
      ...validity,
    ]);
    return {
      certPem: readFileSync(join(this.#dir, `c${n}.crt`), "utf8"),
      keyPem: readFileSync(join(this.#dir, `c${n}.key`), "utf8"),
    };
  }

  /** A server certificate for `names` (for a test TLS server), signed by this CA. */
  server(names: readonly string[]): ClientPem {
    return this.issue({ subject: `/CN=${names[0]}`, sans: names.map((x) => `DNS:${x}`), eku: "serverAuth" });
  }

  /** Deletes the CA's files. */
  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
