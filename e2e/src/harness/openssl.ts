import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * An OpenSSL config as on a hardened host: TLS security level 3 (128-bit security: RSA keys of
 * at least 3072 bits; P-256 is fine). Node reads its `nodejs_conf` section when OPENSSL_CONF
 * names the file. Written into `dir`; returns its path. A node started with it refuses a
 * certificate with an RSA-2048 key that the control plane and every other node load: a refusal
 * of the config (`NACK RESOURCE_INVALID`, kind config) the control plane cannot foresee.
 */
export function hardenedOpensslConf(dir: string): string {
  const file = join(dir, "openssl-seclevel3.cnf");
  writeFileSync(
    file,
    [
      "nodejs_conf = nodejs_init",
      "[nodejs_init]",
      "ssl_conf = ssl_sect",
      "[ssl_sect]",
      "system_default = system_default_sect",
      "[system_default_sect]",
      "CipherString = DEFAULT@SECLEVEL=3",
      "",
    ].join("\n"),
  );
  return file;
}
