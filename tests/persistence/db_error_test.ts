import assert from "node:assert/strict";
import { columnOf, isTransient, toDbError } from "../../src/persistence/db_error.ts";

Deno.test("isTransient: serialization, deadlock, shutdown and connection loss only", () => {
  for (const code of ["40001", "40P01", "57P01", "57P02", "57P03", "08006", "08001", "08P01"]) {
    assert.equal(isTransient({ code }), true, code);
  }
  for (const code of ["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "ECONNRESET", "ECONNREFUSED"]) {
    assert.equal(isTransient({ code }), true, code);
  }
  for (const code of ["23505", "23514", "23502", "23503", "22P02", "42P01", "42703", "57014", "TIMEOUT"]) {
    assert.equal(isTransient({ code }), false, code);
  }
  assert.equal(isTransient(new Error("Connection reset by peer (ECONNRESET)")), true);
  assert.equal(isTransient(new Error("something else")), false);
});

Deno.test("constraint errors name the column", () => {
  assert.equal(columnOf({ constraint_name: "trades_side_check", table_name: "trades" }), "side");
  assert.equal(columnOf({ column_name: "symbol", code: "23502" }), "symbol");
  assert.equal(
    columnOf({
      constraint_name: "premove_artifacts_ts_symbol_key",
      detail: "Key (ts, symbol)=(…) already exists.",
    }),
    "ts, symbol",
  );
  const e = toDbError("trades.insert", {
    message: 'new row for relation "trades" violates check constraint "trades_side_check"',
    code: "23514",
    constraint_name: "trades_side_check",
    table_name: "trades",
  }, 1);
  assert.match(
    e.message,
    /^trades\.insert: new row .* \(column side; constraint trades_side_check; table trades; SQLSTATE 23514\)$/,
  );
  assert.equal(e.transient, false);
});
