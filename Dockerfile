# syntax=docker/dockerfile:1
# GENERATED from deploy/image/image.ts (one description for this image and the one the tests build and
# run): edit that file, then `deno task gen`.

# Stage 1 (release): build.
FROM denoland/deno:2.9.6 AS build
WORKDIR /app
COPY deno.json deno.lock ./
COPY main.ts ./
COPY src ./src
COPY scripts ./scripts
COPY config ./config
COPY migrations ./migrations
COPY fixtures ./fixtures
COPY artifacts/templates ./artifacts/templates
ENV CRYPTORUN_APP_DATA_DIR=/data \
    CRYPTORUN_METRICS_LISTEN=0.0.0.0:9464 \
    CRYPTORUN_SECRETS_DIR=/run/secrets \
    DENO_NO_UPDATE_CHECK=1
ARG ALLOW_HOSTS=postgres:5432,redis:6379
RUN deno install --frozen --entrypoint main.ts src/backfill/known_gaps.ts src/cli/commands/backfill/run.ts src/cli/commands/cold/actions.ts src/cli/commands/cold/import.ts src/cli/commands/cold/replicate.ts src/cli/commands/cold/validate.ts src/cli/commands/db/actions.ts src/cli/commands/derivs/defi.ts src/cli/commands/derivs/show.ts src/cli/commands/health/run.ts src/cli/commands/ingest/run.ts src/cli/commands/report/run.ts src/cli/commands/scan/run.ts src/cli/commands/serve/run.ts src/cli/commands/stream/actions.ts src/config/load.ts src/data/cold/input.ts src/data/cold/manifest_schema.ts src/data/cold/move.ts src/data/cold/move_journal_schema.ts src/data/cold/parquet_wasm_read.ts src/data/cold/row_check.ts src/data/cold/store.ts src/data/cold/table_write.ts src/data/cold/tables.ts src/data/validate/write.ts src/scan/rolling_worker.ts src/util/progress.ts \
  && deno task compile --config=/app/config/cryptorun.yaml --data-dir=/data \
       --allow-host=${ALLOW_HOSTS} --output=/out/cryptorun
RUN ["/usr/bin/deno", "eval", "Deno.mkdirSync('/staging/data', { recursive: true }); Deno.mkdirSync('/staging/tmp', { mode: 0o1777 }); Deno.chmodSync('/staging/tmp', 0o1777)"]

# Stage 2: minimal runtime (glibc, CA certificates, no shell), non-root.
FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /app
COPY --from=build /out/cryptorun /out/cryptorun.sha256 /app/
COPY --from=build /app/config /app/config
COPY --from=build --chown=65532:65532 /staging/data /data
COPY --from=build /staging/tmp /tmp
USER 65532:65532
ENV CRYPTORUN_APP_DATA_DIR=/data \
    CRYPTORUN_METRICS_LISTEN=0.0.0.0:9464 \
    CRYPTORUN_SECRETS_DIR=/run/secrets \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_DIR=/tmp/deno
VOLUME ["/data"]
EXPOSE 9464
# The health check asks the running serve (its /readyz): a second process cannot open the embedded
# database serve holds.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/app/cryptorun", "health", "--server", "http://127.0.0.1:9464"]
ENTRYPOINT ["/app/cryptorun"]
CMD ["serve", "--with-ingest", "--with-scan"]
