/**
 * Opens a page in headless Debian chromium through the DevTools protocol and reports what the page logged:
 * console errors, uncaught exceptions and failed loads (Log/Runtime events), plus a full-page screenshot.
 * Chromium is installed by `deno task test` (scripts/test.sh need_packages); a missing binary fails the test.
 */
export interface PageReport {
  errors: string[];
  screenshot: Uint8Array;
  title: string;
}

export async function openInChromium(
  url: string,
  opts: { width?: number; height?: number } = {},
): Promise<PageReport> {
  const bin = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  if (!bin) {
    throw new Error("chromium is not installed: run the tests with `deno task test` (it installs chromium)");
  }
  const profile = await Deno.makeTempDir({ prefix: "cryptorun-chromium-" });
  const child = new Deno.Command(bin, {
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-extensions",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      `--window-size=${opts.width ?? 1200},${opts.height ?? 900}`,
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…"
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let port = "";
    const deadline = Date.now() + 30_000;
    while (!port) {
      if (Date.now() > deadline) throw new Error(`chromium did not start: ${buf.slice(-500)}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`chromium exited: ${buf.slice(-500)}`);
      buf += value;
      port = buf.match(/DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//)?.[1] ?? "";
    }
    (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })().catch(() => {});
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === "page");
    if (!page) throw new Error("chromium: no page target");
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((res, rej) => {
      ws.onopen = res;
      ws.onerror = rej;
    });
    let id = 0;
    const pending = new Map<number, (v: Record<string, unknown>) => void>();
    const errors: string[] = [];
    let loaded: () => void = () => {};
    const load = new Promise<void>((res) => (loaded = res));
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.id !== undefined) pending.get(m.id)?.(m.result ?? { error: m.error });
      else if (m.method === "Page.loadEventFired") loaded();
      else if (m.method === "Runtime.exceptionThrown") {
        errors.push(
          `exception: ${
            m.params.exceptionDetails?.exception?.description ?? m.params.exceptionDetails?.text
          }`,
        );
      } else if (m.method === "Runtime.consoleAPICalled" && ["error", "assert"].includes(m.params.type)) {
        errors.push(
          `console.${m.params.type}: ${m.params.args?.map((a: { value?: unknown }) => a.value).join(" ")}`,
        );
      } else if (m.method === "Log.entryAdded" && m.params.entry.level === "error") {
        errors.push(`log: ${m.params.entry.text} ${m.params.entry.url ?? ""}`.trim());
      }
    };
    const call = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<Record<string, unknown>>((res) => {
        const i = ++id;
        pending.set(i, res);
        ws.send(JSON.stringify({ id: i, method, params }));
      });
    await call("Page.enable");
    await call("Runtime.enable");
    await call("Log.enable");
    await call("Page.navigate", { url });
    await Promise.race([
      load,
      new Promise((_, rej) => setTimeout(() => rej(new Error("page did not load in 30 s")), 30_000)),
    ]);
    const title = (await call("Runtime.evaluate", { expression: "document.title", returnByValue: true })) as {
      result: { value: string };
    };
    const metrics = await call("Page.getLayoutMetrics") as {
      cssContentSize: { width: number; height: number };
    };
    const shot = await call("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: metrics.cssContentSize.width,
        height: metrics.cssContentSize.height,
        scale: 1,
      },
    }) as { data: string };
    ws.close();
    return {
      errors,
      title: title.result.value,
      screenshot: Uint8Array.from(atob(shot.data), (c) => c.charCodeAt(0)),
    };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
