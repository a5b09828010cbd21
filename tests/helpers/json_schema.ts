import Ajv from "ajv";
import draft7 from "ajv/dist/refs/json-schema-draft-07.json" with { type: "json" };

export interface Validator {
  (doc: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string; params?: unknown }> | null;
}

/** An Ajv (JSON Schema draft-07) validator, every error reported; `formats` adds the schema's custom formats. */
export function compileSchema(schema: unknown, formats: Record<string, RegExp> = {}): Validator {
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv as any)({ allErrors: true, strict: false, formats });
  // Schemas name draft-07 by its https address; Ajv ships the meta-schema under the http one.
  ajv.addMetaSchema({ ...draft7, $id: "https://json-schema.org/draft-07/schema" });
  return ajv.compile(schema);
}

/** Ajv's errors as `path: message` lines. */
export function schemaErrors(v: Validator): string[] {
  return (v.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message} ${JSON.stringify(e.params)}`);
}
