# syntax=docker/dockerfile:1
# Stage 1: build the single cryptorun binary.
FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock ./
COPY main.ts ./
COPY src ./src
COPY scripts ./scripts
COPY config ./config
COPY migrations ./migrations
COPY fixtures ./fixtures
RUN deno install --frozen --entrypoint main.ts && deno task compile

# Stage 2: minimal runtime with CA certificates, non-root.
FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /app
COPY --from=build /src/dist/cryptorun /app/cryptorun
COPY --from=build /src/config /app/config
USER nonroot:nonroot
ENV CRYPTORUN_APP_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 9464
# The health check asks the running serve (its /readyz): a second process cannot open the embedded database
# serve holds.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/app/cryptorun", "health", "--server", "http://127.0.0.1:9464"]
ENTRYPOINT ["/app/cryptorun"]
# One long-running process: metrics, health endpoints and the schedulers. Inside a container the listener
# must bind all interfaces so a published port reaches it; outside containers serve stays on loopback.
CMD ["serve", "--listen", "0.0.0.0:9464", "--with-ingest", "--with-scan"]
