/**
 * A Server-Sent Events reader over `fetch` (WHATWG HTML §9.2.6, "Interpreting an event
 * stream"): `EventSource` cannot send the admin token in a header, so the security page reads
 * the stream's body itself. `SseParser` is pure (tests feed it chunks); `followEvents` keeps a
 * stream open, resuming after the last event id with backoff when it drops.
 */

/** One dispatched event. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** Incremental parser: feed text chunks as they arrive; complete events come out. */
export class SseParser {
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id: string | undefined;
  /** The last event id seen (kept across events, as the spec's "last event ID buffer"). */
  lastEventId: string | undefined;

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buffer);
      if (!m) break;
      const line = this.#buffer.slice(0, m.index);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      if (line === "") {
        if (this.#data.length > 0)
          out.push({ id: this.#id, event: this.#event || "message", data: this.#data.join("\n") });
        this.#data = [];
        this.#event = "";
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (name === "data") this.#data.push(value);
      else if (name === "event") this.#event = value;
      else if (name === "id" && !value.includes("\0")) {
        this.#id = value;
        this.lastEventId = value;
      }
    }
    return out;
  }
}

/**
 * Follows a stream until `signal` aborts: `open(lastEventId)` opens it (fetch), each event goes
 * to `onEvent`, `onState` says whether it is live; a drop reconnects after 1 s doubling to
 * 30 s, resuming after the last event id.
 */
export async function followEvents(
  open: (lastEventId: number | undefined) => Promise<Response>,
  onEvent: (e: SseEvent) => void,
  onState: (live: boolean) => void,
  signal: AbortSignal,
): Promise<void> {
  let last: number | undefined;
  let failures = 0;
  while (!signal.aborted) {
    const parser = new SseParser();
    try {
      const res = await open(last);
      onState(true);
      failures = 0;
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const e of parser.push(value)) {
          if (e.id !== undefined && /^\d+$/.test(e.id)) last = Number(e.id);
          onEvent(e);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    onState(false);
    const wait = Math.min(30_000, 1000 * 2 ** failures++);
    await new Promise((r) => setTimeout(r, wait));
  }
}
