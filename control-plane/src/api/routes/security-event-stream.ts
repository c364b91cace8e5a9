import { once } from "node:events";
import type { FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../../errors.js";
import type { LiveEvent } from "../../security-events/event-hub.js";
import type { SecurityEventIntake } from "../../security-events/event-intake-service.js";
import type { SecurityEventFilter } from "../../store/security-event-store.js";

/** Heartbeat comment interval, ms (proxies close idle connections after 30–60 s). */
export const HEARTBEAT_MS = 15_000;
/** Most events replayed after a Last-Event-ID; beyond, a `gap` event says what was skipped. */
export const MAX_REPLAY = 10_000;
/** A stream whose unsent output passes this is ended: the client resumes from its Last-Event-ID. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Most open streams per control plane. */
export const MAX_STREAMS = 100;

const PAGE = 500;

/** `{"seq":…,"received_at":…,"event":<doc>}` without parsing the stored document again. */
export function itemJson(e: { seq: number; receivedMs: number; doc: string }): string {
  return `{"seq":${e.seq},"received_at":"${new Date(e.receivedMs).toISOString()}","event":${e.doc}}`;
}
/** Ends every open stream of `intake` (the admin listener is closing). */
export function endAllStreams(intake: SecurityEventIntake): void {
  for (const s of [...intake.hub.streams]) s.end();
}

/**
 * A Server-Sent Events stream (WHATWG HTML §9.2) of the security events that match `f`:
 * `retry: 3000`, then each event as `id: <seq>` / `event: security-event` / `data: <JSON>`
 * in arrival order, and a `: heartbeat` comment every 15 s. A client that reconnects with
 * `Last-Event-ID` (or `?last_event_id=`) first gets what it missed (stored events after that
 * seq that match, up to {@link MAX_REPLAY}, then `event: gap` with `{after_seq, resumed_seq}`
 * if more were skipped), then live events, without loss or repeats: live events are held while
 * the backlog is sent. A client that reads slower than events arrive is disconnected once
 * {@link MAX_BUFFERED_BYTES} are waiting, and resumes with its Last-Event-ID.
 * @throws DomainError VALIDATION_FAILED for a bad Last-Event-ID, STREAM_LIMIT past {@link MAX_STREAMS}
 */
export async function openEventStream(
  req: FastifyRequest,
  reply: FastifyReply,
  intake: SecurityEventIntake,
  f: SecurityEventFilter,
): Promise<FastifyReply> {
  const header = req.headers["last-event-id"];
  const raw = (Array.isArray(header) ? header[0] : header) ?? (req.query as { last_event_id?: string }).last_event_id;
  let lastSeq: number | undefined;
  if (raw !== undefined && raw !== "") {
    if (!/^[0-9]{1,15}$/.test(raw))
      throw new DomainError("VALIDATION_FAILED", "Last-Event-ID must be an event seq", "Last-Event-ID");
    lastSeq = Number(raw);
  }
  const open = intake.hub.streams;
  const counts = intake.hub.streamCounts;
  if (open.size >= MAX_STREAMS) {
    counts.limit++;
    throw new DomainError("STREAM_LIMIT");
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    // nginx and other buffering proxies: pass each event on at once.
    "x-accel-buffering": "no",
  });
  res.write("retry: 3000\n\n");
  counts.opened++;
  // Live events wait in `held` until the starting point is read (and the backlog replayed), so
  // none falls between the read and the subscription.
  let sent = lastSeq ?? 0;
  let held: LiveEvent[] | null = [];
  let ended = false;
  const write = (e: { seq: number; receivedMs: number; doc: string }) => {
    if (e.seq <= sent) return;
    sent = e.seq;
    res.write(`id: ${e.seq}\nevent: security-event\ndata: ${itemJson(e)}\n\n`);
  };
  const handle = {
    end() {
      if (ended) return;
      ended = true;
      open.delete(handle);
      unsubscribe();
      clearInterval(beat);
      res.end();
    },
  };
  const unsubscribe = intake.hub.subscribe({
    filter: f,
    deliver(e) {
      if (ended) return;
      if (held) {
        if (held.length >= MAX_REPLAY) handle.end();
        else held.push(e);
        return;
      }
      write(e);
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        counts.slow++;
        handle.end();
      }
    },
  });
  const beat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), HEARTBEAT_MS);
  beat.unref();
  open.add(handle);
  res.on("close", () => handle.end());
  if (lastSeq === undefined) sent = await intake.store.lastSeq();
  else {
    // The backlog, page by page, waiting for the socket to drain between pages.
    let replayed = 0;
    for (;;) {
      const rows = await intake.store.after(f, sent, PAGE);
      for (const r of rows) write(r);
      replayed += rows.length;
      if (rows.length < PAGE || ended) break;
      if (replayed >= MAX_REPLAY) {
        const resumed = await intake.store.lastSeq();
        res.write(`event: gap\ndata: {"after_seq":${sent},"resumed_seq":${resumed}}\n\n`);
        sent = resumed;
        break;
      }
      if (res.writableLength > 0) await Promise.race([once(res, "drain"), once(res, "close")]).catch(() => {});
    }
  }
  const pending = held ?? [];
  held = null;
  for (const e of pending) write(e);
  return reply;
}
