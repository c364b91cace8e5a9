import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "../log.js";
import type { IdentityStore } from "../store/identity-store.js";
import type { Store } from "../store/store.js";
import { CertRequestError, checkProof, type FleetCa } from "./fleet-ca.js";

/** Why a Join or Renew was refused, with the gRPC status to answer. */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
  /** gRPC status of the refusal (`UNAVAILABLE`: the store cannot be read now; retry). */
  readonly status: "UNAUTHENTICATED" | "PERMISSION_DENIED" | "INVALID_ARGUMENT" | "UNAVAILABLE";
  constructor(status: IdentityError["status"], message: string) {
    super(message);
    this.status = status;
  }
}

/** A minted join token: `token` is shown once; only its hash is stored. */
export interface MintedJoinToken {
  id: string;
  token: string;
  region: string;
  node_id: string | null;
  expires_at: string;
}

/** Options of {@link NodeIdentity}. */
export interface NodeIdentityOptions {
  /** Lifetime of node certificates, ms. */
  readonly certTtlMs: number;
}

const TOKEN_PREFIX = "pjt_";
const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** sha256 hex of a join token (tokens are 256-bit random values: a fast hash is enough). */
export function hashJoinToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The message a node signs to prove it holds the key of a Join (see sync.proto JoinRequest). */
export function joinProofMessage(nodeId: string, token: string): string {
  return `palisade-join-v1\n${nodeId}\n${hashJoinToken(token)}`;
}

/** The message a node signs to prove it holds the new key of a Renew (see sync.proto RenewRequest). */
export function renewProofMessage(nodeId: string, currentSerial: string): string {
  return `palisade-renew-v1\n${nodeId}\n${currentSerial.toUpperCase()}`;
}

/**
 * Node identity: single-use, short-lived join tokens bound to a region (stored hashed), the
 * exchange of a token for a client certificate (Join), renewal over mTLS (Renew) and
 * revocation. A certificate names its node (CN) and region (OU); a revoked node's certificates
 * are refused by serial even after the node is deleted from the inventory.
 */
export class NodeIdentity {
  readonly #ca: FleetCa;
  readonly #ids: IdentityStore;
  readonly #store: Store;
  readonly #opts: NodeIdentityOptions;
  readonly #log: Logger;

  constructor(ca: FleetCa, ids: IdentityStore, store: Store, opts: NodeIdentityOptions, log: Logger) {
    this.#ca = ca;
    this.#ids = ids;
    this.#store = store;
    this.#opts = opts;
    this.#log = log;
  }

  /** The fleet CA certificate, PEM. */
  get caCertPem(): string {
    return this.#ca.certPem;
  }

  /** Mints a join token valid `ttlS` seconds for one node of `region` (optionally one node id). */
  async mint(region: string, ttlS: number, nodeId?: string): Promise<MintedJoinToken> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    const id = randomUUID();
    const expires_at = new Date(Date.now() + ttlS * 1000).toISOString();
    await this.#ids.insertJoinToken({
      id,
      hash: hashJoinToken(token),
      region,
      node_id: nodeId ?? null,
      expires_at,
      created_at: new Date().toISOString(),
    });
    this.#log.info({ token_id: id, region, node_id: nodeId, expires_at }, "join token minted");
    return { id, token, region, node_id: nodeId ?? null, expires_at };
  }

  /**
   * Exchanges a join token for a client certificate. The token is consumed only when the
   * certificate is issued.
   * @throws IdentityError UNAUTHENTICATED (unknown, used or expired token), PERMISSION_DENIED
   *   (region or node id not the token's, node revoked), INVALID_ARGUMENT (bad key or proof)
   */
  async join(req: {
    token: string;
    nodeId: string;
    region: string;
    publicKey: Uint8Array;
    proof: Uint8Array;
  }): Promise<{ certPem: string; region: string; notAfter: Date }> {
    if (!NODE_ID.test(req.nodeId)) throw new IdentityError("INVALID_ARGUMENT", "invalid node id");
    const row = await this.#ids.getJoinTokenByHash(hashJoinToken(req.token));
    if (!row) throw new IdentityError("UNAUTHENTICATED", "unknown join token");
    if (row.used_at) throw new IdentityError("UNAUTHENTICATED", "the join token was already used");
    if (Date.parse(row.expires_at) <= Date.now()) throw new IdentityError("UNAUTHENTICATED", "the join token expired");
    if (req.region !== "" && req.region !== row.region)
      throw new IdentityError("PERMISSION_DENIED", `the join token is for region ${row.region}, not ${req.region}`);
    if (row.node_id && row.node_id !== req.nodeId)
      throw new IdentityError("PERMISSION_DENIED", `the join token is for node ${row.node_id}`);
    if ((await this.#store.getNode(req.nodeId))?.revoked_at)
      throw new IdentityError("PERMISSION_DENIED", "this node id is revoked; delete the node before it joins again");
    try {
      checkProof(req.publicKey, req.proof, joinProofMessage(req.nodeId, req.token));
    } catch (err) {
      if (err instanceof CertRequestError) throw new IdentityError("INVALID_ARGUMENT", err.message);
      throw err;
    }
    const issued = await this.#ca.issueNodeCert(req.nodeId, row.region, req.publicKey, this.#opts.certTtlMs);
    const now = new Date().toISOString();
    const ok = await this.#store.transaction(async () => {
      if (!(await this.#ids.useJoinToken(row.id, req.nodeId, now))) return false;
      await this.#ids.insertNodeCert({
        serial: issued.serial,
        node_id: req.nodeId,
        region: row.region,
        not_after: issued.notAfter.toISOString(),
        issued_at: now,
      });
      return true;
    });
    if (!ok) throw new IdentityError("UNAUTHENTICATED", "the join token was already used");
    this.#log.info({ node: req.nodeId, region: row.region, serial: issued.serial, token_id: row.id }, "node joined");
    return { certPem: issued.certPem, region: row.region, notAfter: issued.notAfter };
  }

  /**
   * Issues a new certificate for a new key to a node that presents a valid, unrevoked one.
   * @throws IdentityError PERMISSION_DENIED (revoked), INVALID_ARGUMENT (bad key or proof)
   */
  async renew(
    peer: { nodeId: string; region: string; serial: string },
    publicKey: Uint8Array,
    proof: Uint8Array,
  ): Promise<{ certPem: string; notAfter: Date }> {
    await this.checkCertificate(peer.serial);
    try {
      checkProof(publicKey, proof, renewProofMessage(peer.nodeId, peer.serial));
    } catch (err) {
      if (err instanceof CertRequestError) throw new IdentityError("INVALID_ARGUMENT", err.message);
      throw err;
    }
    const issued = await this.#ca.issueNodeCert(peer.nodeId, peer.region, publicKey, this.#opts.certTtlMs);
    await this.#ids.insertNodeCert({
      serial: issued.serial,
      node_id: peer.nodeId,
      region: peer.region,
      not_after: issued.notAfter.toISOString(),
      issued_at: new Date().toISOString(),
    });
    this.#log.info({ node: peer.nodeId, serial: issued.serial, previous: peer.serial }, "node certificate renewed");
    return { certPem: issued.certPem, notAfter: issued.notAfter };
  }

  /**
   * Refuses a certificate this control plane did not record or has revoked.
   * @throws IdentityError PERMISSION_DENIED
   */
  async checkCertificate(serial: string): Promise<void> {
    const cert = await this.#ids.getNodeCert(serial.toUpperCase());
    if (!cert) throw new IdentityError("PERMISSION_DENIED", "unknown client certificate");
    if (cert.revoked_at) throw new IdentityError("PERMISSION_DENIED", "the client certificate is revoked");
  }

  /** Revokes every certificate of the node and marks it revoked. @returns false when neither the node nor a certificate of it exists */
  async revoke(nodeId: string): Promise<boolean> {
    const at = new Date().toISOString();
    return this.#store.transaction(async () => {
      const certs = await this.#ids.revokeNodeCerts(nodeId, at);
      const node = await this.#store.getNode(nodeId);
      if (!node && certs === 0) return false;
      await this.#store.markNodeRevoked(nodeId, node?.region ?? (await this.#ids.regionOf(nodeId)));
      this.#log.warn({ node: nodeId, certificates: certs }, "node revoked");
      return true;
    });
  }

  /** Recent join tokens (never the token itself). */
  async listTokens(): Promise<
    Array<Omit<MintedJoinToken, "token"> & { created_at: string; used_at: string | null; used_by: string | null }>
  > {
    return (await this.#ids.listJoinTokens()).map((r) => ({
      id: r.id,
      region: r.region,
      node_id: r.node_id,
      expires_at: r.expires_at,
      created_at: r.created_at,
      used_at: r.used_at,
      used_by: r.used_by,
    }));
  }
}
