import { z } from 'zod';

/**
 * Payload validators rebuilt from the JSON Schemas workers declare, cached by their text (a
 * worker re-registers often; the schema rarely changes).
 */
export class PayloadSchemaCache {
  private readonly cache = new Map<string, z.ZodType>();

  get(jsonSchema: unknown): z.ZodType {
    const key = JSON.stringify(jsonSchema);
    let schema = this.cache.get(key);
    if (!schema) {
      try {
        schema = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch {
        // A schema the master cannot rebuild is checked by the worker instead, before any browser work.
        schema = z.unknown();
      }
      this.cache.set(key, schema);
    }
    return schema;
  }
}
