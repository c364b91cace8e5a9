// Test helper: a PolicyRequest built from a few fields (unit tests of policies only).
import type { IncomingHttpHeaders } from "node:http";
import { type RequestView, requestView } from "../request/request-view.js";
import type { ConsumerRef, PolicyRequest } from "./types.js";

/** Fields a policy test may set; everything else gets a plain default. */
export interface TestRequestInit {
  method?: string;
  path?: string;
  query?: string;
  host?: string;
  clientAddress?: string;
  headers?: IncomingHttpHeaders;
  rawHeaders?: string[];
  routeId?: string;
  consumer?: ConsumerRef | null;
}

/** A request as the proxy would hand it to a policy. */
export function testRequest(init: TestRequestInit = {}): PolicyRequest {
  const path = init.path ?? "/";
  const view: RequestView = requestView({
    method: init.method ?? "GET",
    path,
    matchPath: path,
    query: init.query ?? "",
    host: init.host ?? "api.example.test",
    authority: init.host ?? "api.example.test",
    clientAddress: init.clientAddress ?? "203.0.113.50",
    peerAddress: init.clientAddress ?? "203.0.113.50",
    forwardedFor: [init.clientAddress ?? "203.0.113.50"],
  });
  const headers = init.headers ?? {};
  const rawHeaders =
    init.rawHeaders ??
    Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : [k, String(v)]));
  return {
    method: view.method,
    path,
    query: view.query,
    headers,
    rawHeaders,
    view,
    routeId: init.routeId ?? "route-1",
    consumer: init.consumer ?? null,
  };
}
