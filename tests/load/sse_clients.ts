/**
 * The client side of the /events load target, in its own process: C SSE clients on each of the given URLs,
 * each client counting the events it receives and checking their ids come in order.
 *
 *   deno run -A tests/load/sse_clients.ts CLIENTS EVENTS URL…
 *
 * Prints "ready" once every client has its stream open (the server's preamble arrived). Then, each time
 * every client of URL number u has received another EVENTS events, one JSON line:
 * {"url": u, "batch": k, "last_ms": epoch ms when the last client got the batch's last event, "lost": 0,
 * "out_of_order": n}. After 60 s without progress it reports what is missing (`lost`) and exits.
 */
const [clientsArg, eventsArg, ...urls] = Deno.args;
const C = Number(clientsArg);
const N = Number(eventsArg);
const ctl = new AbortController();
let ready = 0;
let markReady: () => void;
const allReady = new Promise<void>((r) => (markReady = r));
const counts = urls.map(() => new Array<number>(C).fill(0));
const reported = urls.map(() => 0);
let outOfOrder = 0;
let lastProgress = Date.now();

function progress(u: number): void {
  lastProgress = Date.now();
  const done = Math.min(...counts[u]);
  while (reported[u] < Math.floor(done / N)) {
    reported[u]++;
    console.log(
      JSON.stringify({ url: u, batch: reported[u], last_ms: Date.now(), lost: 0, out_of_order: outOfOrder }),
    );
  }
}

async function one(u: number, k: number): Promise<void> {
  const res = await fetch(urls[u], { signal: ctl.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let first = true;
  let lastId = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    if (first) {
      first = false;
      if (++ready === C * urls.length) markReady();
    }
    buf += value;
    let i;
    const before = Math.floor(counts[u][k] / N);
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const id = /^id: (\d+)$/m.exec(buf.slice(0, i));
      buf = buf.slice(i + 2);
      if (!id) continue;
      if (lastId !== 0 && Number(id[1]) !== lastId + 1) outOfOrder++;
      lastId = Number(id[1]);
      counts[u][k]++;
    }
    if (Math.floor(counts[u][k] / N) > before) progress(u);
  }
}

const all = urls.flatMap((_, u) => counts[u].map((_, k) => one(u, k).catch(() => {})));
await allReady;
console.log("ready");
// Ends when stdin closes (the parent is done) or nothing arrives for 60 s while a batch is incomplete.
const watchdog = setInterval(() => {
  const waiting = counts.some((c, u) => Math.max(...c) > reported[u] * N);
  if (waiting && Date.now() - lastProgress > 60_000) {
    counts.forEach((c, u) => {
      const target = Math.max(...c);
      const lost = c.reduce((s, x) => s + (target - x), 0);
      if (lost > 0) {
        console.log(
          JSON.stringify({
            url: u,
            batch: reported[u] + 1,
            last_ms: Date.now(),
            lost,
            out_of_order: outOfOrder,
          }),
        );
      }
    });
    ctl.abort();
  }
}, 1000);
for await (const _ of Deno.stdin.readable) { /* until the parent closes stdin */ }
clearInterval(watchdog);
ctl.abort();
// Aborted bodies do not always settle their pending reads: nothing is left to report, so just exit.
void all;
Deno.exit(0);
