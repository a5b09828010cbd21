import type { Registry } from "prom-client";
import type { Logger } from "../log/logger.ts";
import { renderMetrics } from "../metrics/exposition.ts";
import { httpRequests, latency } from "../metrics/registry.ts";
import type { EventHub } from "./events.ts";
import type { Readiness } from "./readiness.ts";

export interface HandlerDeps {
  registry: Registry;
  readiness: Readiness;
  events: EventHub;
  log: Logger;
  version: string;
  startedAt: number;
}

type Route = "metrics" | "healthz" | "readyz" | "events" | "index";

const ROUTES: Record<string, Route> = {
  "/": "index",
  "/metrics": "metrics",
  "/healthz": "healthz",
  "/readyz": "readyz",
  "/events": "events",
};

const GET_ONLY = "GET, HEAD";

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function wantsJson(req: Request, url: URL): boolean {
  return url.searchParams.get("format") === "json" ||
    (req.headers.get("accept") ?? "").includes("application/json");
}

/**
 * The HTTP surface of `cryptorun serve`: GET/HEAD /metrics, /healthz, /readyz, /events (SSE), /.
 * Unknown path → 404, wrong method → 405 with Allow, a query that cannot be parsed → 400. Never throws:
 * an unexpected error becomes a 500 and the server keeps serving.
 */
export function createHandler(deps: HandlerDeps): (req: Request) => Promise<Response> {
  // The error answers every route can give start at 0, so the error-rate panels see the first one.
  for (const route of Object.values(ROUTES)) httpRequests.inc({ route, code: "500" }, 0);
  for (const route of ["readyz", "events"]) httpRequests.inc({ route, code: "503" }, 0);
  // Concurrent scrapes share one render (single flight): N scrapers cost one serialisation, not N.
  let rendering: Promise<string> | undefined;
  const render = () => (rendering ??= renderMetrics(deps.registry).finally(() => (rendering = undefined)));
  async function route(req: Request, url: URL, r: Route): Promise<Response> {
    switch (r) {
      case "index":
        return text(
          200,
          `cryptorun ${deps.version}\n/metrics  Prometheus metrics\n/healthz  liveness\n/readyz   readiness (config, database, data freshness; ?format=json)\n/events   server-sent events: scan results\n`,
        );
      case "metrics": {
        const end = latency.startTimer({ component: "metrics_scrape" });
        try {
          const body = await render();
          return new Response(body, {
            headers: { "content-type": deps.registry.contentType, "cache-control": "no-store" },
          });
        } finally {
          end();
        }
      }
      case "healthz":
        return wantsJson(req, url)
          ? json(200, {
            status: "ok",
            version: deps.version,
            uptime_s: Math.round((Date.now() - deps.startedAt) / 1000),
          })
          : text(200, "ok\n");
      case "readyz": {
        const rep = await deps.readiness.report();
        const status = rep.ok ? 200 : 503;
        return wantsJson(req, url)
          ? json(status, {
            status: rep.ok ? "ok" : "fail",
            summary: rep.summary,
            checked_at: new Date(rep.at).toISOString(),
            checks: rep.checks,
          })
          : text(status, rep.summary + "\n");
      }
      case "events": {
        const raw = req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId");
        let last: number | undefined;
        if (raw !== null) {
          if (!/^\d{1,15}$/.test(raw)) {
            return text(400, `bad Last-Event-ID ${JSON.stringify(raw.slice(0, 40))}\n`);
          }
          last = Number(raw);
        }
        if (req.method === "HEAD") {
          return new Response(null, { headers: { "content-type": "text/event-stream" } });
        }
        const stream = deps.events.subscribe(last);
        if (!stream) return text(503, "too many event clients\n", { "retry-after": "10" });
        return new Response(stream, {
          headers: {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-store",
            "x-accel-buffering": "no",
          },
        });
      }
    }
  }

  return async (req: Request): Promise<Response> => {
    let label = "other";
    let res: Response;
    try {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        res = text(400, "bad request URL\n");
        httpRequests.inc({ route: label, code: "400" });
        return res;
      }
      const r = ROUTES[url.pathname];
      if (!r) res = text(404, `not found: ${url.pathname.slice(0, 100)}\n`);
      else {
        label = r;
        if (req.method !== "GET" && req.method !== "HEAD") {
          res = text(405, `method ${req.method.slice(0, 20)} not allowed on ${url.pathname}\n`, {
            allow: GET_ONLY,
          });
        } else {
          res = await route(req, url, r);
          if (req.method === "HEAD" && r !== "events") {
            res = new Response(null, { status: res.status, headers: res.headers });
          }
        }
      }
    } catch (err) {
      deps.log.error("request failed", { path: req.url.slice(0, 200), err });
      res = text(500, "internal error\n");
    }
    httpRequests.inc({ route: label, code: String(res.status) });
    return res;
  };
}
