import { setTimeout as sleep } from "node:timers/promises";
import type { DataPlaneProcess } from "./fleet.js";

/**
 * Drives `GET /app/<i>` at one node, one request at a time with `pauseMs` between them, until
 * stopped or `maxRequests` is reached (the load stops by itself). Counts answers by status class
 * (`2xx`, `5xx`, `error` for no answer) and keeps every answer that was not a 200 as a line.
 */
export class TrafficLoop {
  stopped = false;
  /** Answers with status 200. */
  ok = 0;
  readonly counts: Record<string, number> = {};
  /** `<node> /app/<i>: <status> <body>` or the error, for each request not answered 200. */
  readonly failures: string[] = [];
  #done: Promise<void>;

  constructor(node: DataPlaneProcess, opts: { pauseMs: number; maxRequests: number }) {
    this.#done = (async () => {
      for (let i = 0; i < opts.maxRequests && !this.stopped; i++) {
        try {
          const r = await node.get(`/app/${i}`);
          const k = `${Math.floor(r.status / 100)}xx`;
          this.counts[k] = (this.counts[k] ?? 0) + 1;
          if (r.status === 200) this.ok++;
          else this.failures.push(`${node.nodeId} /app/${i}: ${r.status} ${r.text.slice(0, 200)}`);
        } catch (err) {
          this.counts.error = (this.counts.error ?? 0) + 1;
          this.failures.push(`${node.nodeId} /app/${i}: ${String(err)}`);
        }
        await sleep(opts.pauseMs);
      }
    })();
  }

  /** Stops the loop and waits for its request in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.#done;
  }
}
