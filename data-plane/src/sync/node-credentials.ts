import { createHash, generateKeyPairSync, type KeyObject, sign, X509Certificate } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  codecFor,
  JOIN_PATH,
  JoinRequestSchema,
  type JoinResponse,
  JoinResponseSchema,
  RENEW_PATH,
  RenewRequestSchema,
  type RenewResponse,
  RenewResponseSchema,
} from "@palisade/proto";
import type { Logger } from "../log.js";

/** A failure to get an identity that retrying cannot fix (bad or used token, revoked node, missing CA). */
export class NodeIdentityError extends Error {
  override readonly name = "NodeIdentityError";
}

/** Options of {@link NodeCredentials.obtain}. */
export interface NodeCredentialsOptions {
  /** The node's state directory; the identity lives in `<stateDir>/identity/`. */
  readonly stateDir: string;
  readonly nodeId: string;
  readonly region: string;
  /** Control plane sync addresses, `host:port` each: a join or renewal that cannot reach one tries the next. */
  readonly addresses: readonly string[];
  /** The fleet CA certificate (PEM file); needed to join, kept in the state dir afterwards. */
  readonly caCertPath?: string | undefined;
  /** A single-use join token (`POST /v1/nodes/join-tokens`), used when the node has no valid certificate. */
  readonly joinToken?: string | undefined;
  readonly log: Logger;
  readonly channelOptions?: grpc.ChannelOptions;
  /** Delay between join attempts while the control plane is unreachable, ms. Default 2,000. */
  readonly retryMs?: number;
}

interface Identity {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly region: string;
}

const joinCodec = { req: codecFor(JoinRequestSchema), res: codecFor(JoinResponseSchema) };
const renewCodec = { req: codecFor(RenewRequestSchema), res: codecFor(RenewResponseSchema) };

/**
 * The node's identity on the sync port: an EC P-256 key and a client certificate signed by the
 * fleet CA, kept in `<state-dir>/identity/` (`node.key` mode 0600, `node.crt`, `ca.crt`, each
 * written atomically). Without a valid certificate the node joins once with its join token: it
 * makes a key, proves it holds it (a signature over its node id and the token's hash) and gets
 * its certificate over server-authenticated TLS (`Join`). It renews at two thirds of the
 * certificate's lifetime over mTLS (`Renew`, with a new key), then reconnects with the new one.
 */
export class NodeCredentials {
  readonly #opts: NodeCredentialsOptions;
  #id: Identity;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Which of the addresses the next renewal goes to (moves on after a failure). */
  #turn = 0;

  private constructor(opts: NodeCredentialsOptions, id: Identity) {
    this.#opts = opts;
    this.#id = id;
  }

  /**
   * Loads the identity from the state directory, or joins with the token when there is none
   * (or it expired). Retries while the control plane is unreachable.
   * @throws NodeIdentityError when the node has no usable certificate and cannot join (no
   *   token, no CA certificate, token refused, region mismatch)
   */
  static async obtain(opts: NodeCredentialsOptions): Promise<NodeCredentials> {
    const dir = join(opts.stateDir, "identity");
    const files = { key: join(dir, "node.key"), cert: join(dir, "node.crt"), ca: join(dir, "ca.crt") };
    if (existsSync(files.key) && existsSync(files.cert) && existsSync(files.ca)) {
      const id = parse(
        readFileSync(files.key, "utf8"),
        readFileSync(files.cert, "utf8"),
        readFileSync(files.ca, "utf8"),
      );
      if (id.notAfter > Date.now() + 10_000) {
        if (id.region !== opts.region)
          throw new NodeIdentityError(
            `the node certificate in ${dir} is for region ${id.region}, but --region is ${opts.region}`,
          );
        opts.log.info({ serial: id.serial, not_after: new Date(id.notAfter).toISOString() }, "node certificate loaded");
        return new NodeCredentials(opts, id);
      }
      opts.log.warn({ serial: id.serial }, "the node certificate expired");
    }
    if (!opts.joinToken)
      throw new NodeIdentityError(
        `no valid client certificate in ${dir}: start the node with --join-token <token> --ca-cert <fleet CA file> (tokens: POST /v1/nodes/join-tokens), or --sync-insecure for the local demo`,
      );
    const caPath = opts.caCertPath ?? (existsSync(files.ca) ? files.ca : undefined);
    if (!caPath)
      throw new NodeIdentityError("--ca-cert is required to join (the fleet CA certificate: GET /v1/fleet/ca)");
    const ca = readFileSync(caPath, "utf8");
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await join_(opts, ca, opts.addresses[attempt % opts.addresses.length]!);
        save(dir, files, id);
        opts.log.info(
          { serial: id.serial, region: id.region, not_after: new Date(id.notAfter).toISOString() },
          "node joined the fleet",
        );
        return new NodeCredentials(opts, id);
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED) {
          opts.log.warn({ reason: e.details ?? e.message }, "cannot reach the control plane to join; retrying");
          await new Promise((r) => setTimeout(r, opts.retryMs ?? 2000));
          continue;
        }
        throw new NodeIdentityError(`join refused: ${e.details ?? e.message}`);
      }
    }
  }

  /** mTLS channel credentials with the current key and certificate. */
  channelCredentials(): grpc.ChannelCredentials {
    return grpc.credentials.createSsl(Buffer.from(this.#id.ca), Buffer.from(this.#id.key), Buffer.from(this.#id.cert));
  }

  /** Serial of the current certificate (upper-case hex). */
  get serial(): string {
    return this.#id.serial;
  }

  /** Expiry of the current certificate. */
  get notAfter(): Date {
    return new Date(this.#id.notAfter);
  }

  /**
   * Renews the certificate at two thirds of its lifetime (retrying every 30 s on failure), then
   * calls `onRenewed` (the sync client reconnects with the new certificate).
   */
  startRenewal(onRenewed: () => void): void {
    const schedule = (ms: number) => {
      if (this.#closed) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void attempt(), Math.max(0, Math.min(ms, 2_147_000_000)));
      this.#timer.unref();
    };
    const attempt = async () => {
      try {
        await this.renew();
        onRenewed();
        schedule(this.#renewAt() - Date.now());
      } catch (err) {
        this.#opts.log.warn({ reason: (err as Error).message }, "certificate renewal failed; retrying in 30 s");
        this.#turn++;
        schedule(30_000);
      }
    };
    schedule(this.#renewAt() - Date.now());
  }

  #renewAt(): number {
    return this.#id.notBefore + ((this.#id.notAfter - this.#id.notBefore) * 2) / 3;
  }

  /** Renews now (new key, new certificate) and stores the result. */
  async renew(): Promise<void> {
    const { publicDer, privatePem, privateKey } = newKey();
    const proof = sign(
      "sha256",
      Buffer.from(`palisade-renew-v1\n${this.#opts.nodeId}\n${this.#id.serial}`, "utf8"),
      privateKey,
    );
    const res = await unary<RenewResponse>(
      this.#opts,
      this.#opts.addresses[this.#turn % this.#opts.addresses.length]!,
      this.channelCredentials(),
      RENEW_PATH,
      renewCodec.req.serialize(create(RenewRequestSchema, { publicKey: publicDer, proof })),
      renewCodec.res.deserialize,
    );
    const id = parse(privatePem, res.certificatePem, res.caCertificatePem || this.#id.ca);
    const dir = join(this.#opts.stateDir, "identity");
    save(dir, { key: join(dir, "node.key"), cert: join(dir, "node.crt"), ca: join(dir, "ca.crt") }, id);
    const previous = this.#id.serial;
    this.#id = id;
    this.#opts.log.info(
      { serial: id.serial, previous, not_after: new Date(id.notAfter).toISOString() },
      "node certificate renewed",
    );
  }

  /** Stops renewing. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}

async function join_(opts: NodeCredentialsOptions, ca: string, address: string): Promise<Identity> {
  const token = opts.joinToken!;
  const { publicDer, privatePem, privateKey } = newKey();
  const tokenHash = createHash("sha256").update(token, "utf8").digest("hex");
  const proof = sign("sha256", Buffer.from(`palisade-join-v1\n${opts.nodeId}\n${tokenHash}`, "utf8"), privateKey);
  const res = await unary<JoinResponse>(
    opts,
    address,
    grpc.credentials.createSsl(Buffer.from(ca)),
    JOIN_PATH,
    joinCodec.req.serialize(
      create(JoinRequestSchema, { token, nodeId: opts.nodeId, region: opts.region, publicKey: publicDer, proof }),
    ),
    joinCodec.res.deserialize,
  );
  return parse(privatePem, res.certificatePem, res.caCertificatePem || ca);
}

function newKey(): { publicDer: Uint8Array; privatePem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    publicDer: publicKey.export({ type: "spki", format: "der" }),
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    privateKey,
  };
}

function unary<T>(
  opts: NodeCredentialsOptions,
  address: string,
  creds: grpc.ChannelCredentials,
  path: string,
  body: Buffer,
  deserialize: (b: Buffer) => T,
): Promise<T> {
  const client = new grpc.Client(address, creds, opts.channelOptions ?? {});
  return new Promise<T>((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      deserialize,
      body,
      { deadline: Date.now() + 10_000 },
      (err, value) => {
        client.close();
        if (err || value === undefined) reject(err ?? new Error("empty answer"));
        else resolve(value);
      },
    );
  });
}

function parse(key: string, cert: string, ca: string): Identity {
  const x = new X509Certificate(cert);
  const ou = /(?:^|\n)OU=([^\n]*)/.exec(x.subject)?.[1] ?? "";
  return {
    key,
    cert,
    ca,
    serial: x.serialNumber.toUpperCase(),
    notBefore: Date.parse(x.validFrom),
    notAfter: Date.parse(x.validTo),
    region: ou,
  };
}

function save(dir: string, files: { key: string; cert: string; ca: string }, id: Identity): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomic(files.ca, id.ca, 0o644);
  writeAtomic(files.key, id.key, 0o600);
  writeAtomic(files.cert, id.cert, 0o644);
  const d = openSync(dir, "r");
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  const fd = openSync(tmp, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
