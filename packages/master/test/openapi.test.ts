import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';

describe('GET /api/v1/openapi.json', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('serves an OpenAPI 3.1 document that a real validator accepts, covering the REST essentials', async () => {
    fx = await MasterFixture.start();
    const res = await fetch(`${fx.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };

    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');

    for (const [path, methods] of Object.entries({
      '/api/v1/accounts': ['get', 'post'],
      '/api/v1/accounts/{id}': ['get', 'patch', 'delete'],
      '/api/v1/jobs': ['get', 'post'],
      '/api/v1/jobs/{id}': ['get'],
      '/api/v1/jobs/{id}/cancel': ['post'],
      '/api/v1/jobs/{id}/artifacts/{name}': ['get'],
      '/api/v1/workers': ['get'],
      '/api/v1/workers/{id}/drain': ['post'],
      '/api/v1/messages': ['get'],
      '/health': ['get'],
    })) {
      expect(Object.keys(doc.paths[path] ?? {}), path).toEqual(expect.arrayContaining(methods));
    }
    // Generated from the shared schemas: the job view has every field the contract promises.
    expect(Object.keys(doc.components.schemas.Job!.properties!)).toEqual(
      expect.arrayContaining([
        'id',
        'type',
        'accountId',
        'status',
        'attempt',
        'progress',
        'result',
        'error',
        'workerId',
        'artifacts',
        'createdAt',
        'startedAt',
        'finishedAt',
      ]),
    );
  });
});
