import { AuthOutcome, emptyFacts, type Interner, type RecordWriter } from "@palisade/anomaly";
import type { LoggedExchange, Recorder } from "../policies/contract.js";

/** The interned ids a recorder maps config ids through (anomaly-node.ts keeps them). */
export interface RecorderNames {
  readonly routes: Interner;
  readonly upstreams: Interner;
  readonly consumers: Interner;
}

/**
 * The anomaly detector's recorder (a node-wide {@link Recorder}: the `logging` phase calls it
 * once per finished request): one fixed-size record into the ring shared with the detector
 * worker (@palisade/anomaly `RecordWriter`: never waits, a full ring drops and counts). One
 * facts object is reused; route, upstream and consumer ids are looked up (never interned) in the
 * interners the config swap filled. The credential word stays empty: the loop does not expose
 * an API key's id, and the consumer already names who authenticated. The authentication outcome is read from the answer: 401 is
 * a failed authentication, 403 with an `AUTH_` code a denied one, an accepted authentication is
 * `ok`. Costs about a microsecond (bench/micro/anomaly-recorder.mjs); writes nothing while
 * detection is off, and nothing for the answers of the anomaly decisions themselves.
 */
export class AnomalyRecorder implements Recorder {
  readonly #writer: RecordWriter;
  readonly #names: RecorderNames;
  readonly #facts = emptyFacts();
  readonly #origin = performance.timeOrigin;
  /** Whether detection is on (the config has an anomaly resource). */
  enabled = false;

  constructor(writer: RecordWriter, names: RecorderNames) {
    this.#writer = writer;
    this.#names = names;
  }

  log(ex: LoggedExchange): void {
    if (!this.enabled) return;
    const address = ex.view.clientAddress;
    if (address === "") return; // refused before the request had a canonical view
    const code = ex.errorCode;
    // A decision's own answers are not evidence: counting them would renew the decision forever.
    if (code === "ANOMALY_DENIED" || code === "ANOMALY_THROTTLED") return;
    const f = this.#facts;
    const n = this.#names;
    f.timeMs = this.#origin + performance.now();
    f.route = n.routes.get(ex.routeId);
    f.upstream = n.upstreams.get(ex.upstreamId);
    const consumer = ex.consumer;
    f.consumer = consumer === null ? 0 : n.consumers.get(consumer.id);
    f.clientAddress = address;
    f.path = ex.path;
    f.method = ex.method;
    const fields = ex.fields;
    f.userAgent = fields.get("user-agent");
    f.contentType = ex.requestBytes > 0 ? fields.get("content-type") : undefined;
    const status = ex.status;
    f.status = status;
    f.auth =
      status === 401
        ? AuthOutcome.failed
        : status === 403 && code !== undefined && code.startsWith("AUTH_")
          ? AuthOutcome.denied
          : ex.authMethods !== null
            ? AuthOutcome.ok
            : AuthOutcome.none;
    f.latencyUs = ex.durationMs * 1000;
    f.requestBytes = ex.requestBytes;
    f.responseBytes = ex.responseBytes;
    this.#writer.write(f);
  }
}
