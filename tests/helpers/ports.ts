/** A loopback port nothing listens on (bound, then closed at once): connecting to it is refused. */
export function refusedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
