import { z } from 'zod';

/**
 * Payload validators rebuilt from the JSON Schemas workers declare. Looked up by the schema object
 * first (the capability index keeps the same objects until a worker registers again), so the hot
 * path of job submission never re-serializes a schema; by its text after a re-register.
 */
export class PayloadSchemaCache {
  private readonly byObject = new WeakMap<object, z.ZodType>();
  private readonly byText = new Map<string, z.ZodType>();

  get(jsonSchema: unknown): z.ZodType {
    const isObject = typeof jsonSchema === 'object' && jsonSchema !== null;
    const cached = isObject ? this.byObject.get(jsonSchema) : undefined;
    if (cached) return cached;
    const key = JSON.stringify(jsonSchema);
    let schema = this.byText.get(key);
    if (!schema) {
      try {
        schema = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch {
        // A schema the master cannot rebuild is checked by the worker instead, before any browser work.
        schema = z.unknown();
      }
      this.byText.set(key, schema);
    }
    if (isObject) this.byObject.set(jsonSchema, schema);
    return schema;
  }
}
