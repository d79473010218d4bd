import { z } from 'zod';
import {
  TakeoverViewSchema,
  AccountViewSchema,
  CreateAccountBodySchema,
  CreateBatchBodySchema,
  CreateInviteFlowBodySchema,
  CreateJobBodySchema,
  CreateJobsBulkBodySchema,
  CreateMonitorBodySchema,
  ERROR_CODE_NAMES,
  FLEET_VERSION,
  HealthSchema,
  HealthUnavailableSchema,
  JobEventViewSchema,
  JobLogViewSchema,
  JobViewSchema,
  JobsPerMinuteViewSchema,
  LimitListViewSchema,
  LimitViewSchema,
  PutLimitBodySchema,
  MessageViewSchema,
  MonitorViewSchema,
  UpdateAccountBodySchema,
  WorkerViewSchema,
} from '@fleetwright/shared';

type Json = Record<string, unknown>;

const ErrorSchema = z.object({ code: z.enum(ERROR_CODE_NAMES as [string, ...string[]]), message: z.string(), field: z.string().optional() });

function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (s: Json): Json => ({ content: { 'application/json': { schema: s } } });
const page = (item: string): Json => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'] } },
});
const errors = {
  '400': { description: 'Bad input', ...json(ref('Error')) },
  '401': { description: 'No or unknown token', ...json(ref('Error')) },
  '404': { description: 'Not found', ...json(ref('Error')) },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' } },
];

function op(summary: string, response: Json | null, extra: Json = {}): Json {
  return {
    summary,
    responses: { ...(response ? { '200': { description: 'OK', ...json(response) } } : { '204': { description: 'Done' } }), ...errors },
    ...extra,
  };
}
const body = (name: string): Json => ({ requestBody: { required: true, ...json(ref(name)) } });

/** The OpenAPI 3.1 document of the REST API, generated from the shared zod schemas. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fleetwright API',
      version: FLEET_VERSION,
      description: 'REST API of the Fleetwright master. Errors are `{ code, message, field? }`; lists page with `limit` and `cursor`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: schema(ErrorSchema),
        Health: schema(HealthSchema),
        HealthUnavailable: schema(HealthUnavailableSchema),
        Account: schema(AccountViewSchema),
        CreateAccount: schema(CreateAccountBodySchema, 'input'),
        UpdateAccount: schema(UpdateAccountBodySchema, 'input'),
        Job: schema(JobViewSchema),
        CreateJob: schema(CreateJobBodySchema, 'input'),
        CreateJobsBulk: schema(CreateJobsBulkBodySchema, 'input'),
        CreateBatch: schema(CreateBatchBodySchema, 'input'),
        CreateInviteFlow: schema(CreateInviteFlowBodySchema, 'input'),
        Monitor: schema(MonitorViewSchema),
        CreateMonitor: schema(CreateMonitorBodySchema, 'input'),
        Worker: schema(WorkerViewSchema),
        Message: schema(MessageViewSchema),
        JobEvent: schema(JobEventViewSchema),
        JobLog: schema(JobLogViewSchema),
        JobsPerMinute: schema(JobsPerMinuteViewSchema),
        Takeover: schema(TakeoverViewSchema),
        Limit: schema(LimitViewSchema),
        PutLimit: schema(PutLimitBodySchema, 'input'),
        Limits: schema(LimitListViewSchema),
      },
    },
    paths: {
      '/health': {
        get: {
          summary: 'Fleet health (no token)',
          security: [],
          responses: {
            '200': { description: 'OK', ...json(ref('Health')) },
            '503': { description: 'The fleet could not be read from the database in time; says whether this master leads', ...json(ref('HealthUnavailable')) },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text format); no token unless FLEET_METRICS_TOKEN is set, then that token as the bearer',
          security: [{}, { bearer: [] }],
          responses: {
            '200': { description: 'The exposition text', content: { 'text/plain': { schema: { type: 'string' } } } },
            '401': { description: 'FLEET_METRICS_TOKEN is set and was not sent', ...json(ref('Error')) },
          },
        },
      },
      '/api/v1/accounts': {
        get: op('List accounts', page('Account'), { parameters: pageParams }),
        post: { ...op('Create an account (secrets masked in the answer)', ref('Account')), ...body('CreateAccount') },
      },
      '/api/v1/accounts/{id}': {
        parameters: [idParam],
        get: op('Get an account', ref('Account')),
        patch: { ...op('Edit an account (a blank secret keeps the stored one)', ref('Account')), ...body('UpdateAccount') },
        delete: op('Delete an account', null),
      },
      '/api/v1/accounts/{id}/browser/start': {
        parameters: [idParam],
        post: op("Start (warm) the account's browser on its owner worker; answers once it runs (409 ACCOUNT_UNASSIGNED without an owner)", ref('Account')),
      },
      '/api/v1/accounts/{id}/browser/reset': {
        parameters: [idParam],
        post: op(
          'Force-reset a stuck browser: the context is killed, its running job fails retryable (BROWSER_RESET) and runs again, and the context reopens under a new fence',
          ref('Account'),
        ),
      },
      '/api/v1/accounts/{id}/takeover': {
        parameters: [idParam],
        get: op("Who holds the account's session (heldBy null: nobody)", ref('Takeover')),
        post: op(
          "Take over the account's page (operators and admins; 403 for a viewer, 409 CONFLICT when another token holds it): its job waits at its next ctx call; send input over /client live:input",
          ref('Takeover'),
        ),
        delete: op('Hand the page back ("Done"): a job waiting in askHuman goes on (the holder or an admin)', ref('Takeover')),
      },
      '/api/v1/accounts/{id}/browser/stop': {
        parameters: [idParam],
        post: op("Stop (hibernate) the account's browser: state snapshotted, context closed, profile kept (409 ACCOUNT_BUSY while a job runs)", ref('Account')),
      },
      '/api/v1/jobs': {
        get: op('List jobs, newest first', page('Job'), {
          parameters: [
            ...pageParams,
            { name: 'status', in: 'query', schema: { type: 'string' } },
            { name: 'type', in: 'query', schema: { type: 'string' } },
            { name: 'accountId', in: 'query', schema: { type: 'string' } },
          ],
        }),
        post: { ...op('Create a job (an existing idempotency key returns its job)', ref('Job')), ...body('CreateJob') },
      },
      '/api/v1/jobs/bulk': {
        post: {
          ...op('Create many independent jobs at once, all or nothing', {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, idempotencyKey: { type: ['string', 'null'] } } },
              },
            },
          }),
          ...body('CreateJobsBulk'),
        },
      },
      '/api/v1/session': {
        get: op('The role of the token or session cookie this request carries', {
          type: 'object',
          properties: { role: { type: 'string', enum: ['admin', 'operator', 'viewer'] } },
        }),
        post: {
          ...op('Dashboard sign-in: a token in, an httpOnly session cookie out (no bearer needed)', {
            type: 'object',
            properties: { role: { type: 'string' } },
          }),
          security: [],
          requestBody: { required: true, ...json({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }) },
        },
        delete: { ...op('Dashboard sign-out: clears the session cookie', null), security: [] },
      },
      '/api/v1/jobs/{id}': { parameters: [idParam], get: op('Get a job with its progress, result, error and artifacts', ref('Job')) },
      '/api/v1/jobs/{id}/log': {
        parameters: [idParam],
        get: op("A running job's run.log lines so far, as its worker streams them (then read run.log as an artifact)", ref('JobLog')),
      },
      '/api/v1/jobs/{id}/cancel': { parameters: [idParam], post: op('Cancel a job (a batch or flow stops its unfinished children)', ref('Job')) },
      '/api/v1/jobs/{id}/events': {
        parameters: [idParam],
        get: op("A job's event timeline, oldest first, a page at a time", page('JobEvent'), { parameters: pageParams }),
      },
      '/api/v1/stats/jobs-per-minute': {
        get: op('Jobs finished per minute by outcome, and every job by status now', ref('JobsPerMinute'), {
          parameters: [{ name: 'minutes', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1440 } }],
        }),
      },
      '/api/v1/jobs/{id}/qrcode': {
        parameters: [idParam],
        get: op('The latest QR code of a login job', { type: 'object', properties: { jobId: { type: 'string' }, dataUrl: { type: 'string' } } }),
      },
      '/api/v1/jobs/{id}/artifacts/{name}': {
        parameters: [idParam, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          summary: 'Download an artifact (run.log, *.png, trace.zip); traces and screenshots can hold session data and need an operator or admin token',
          responses: {
            '200': { description: 'The file' },
            ...errors,
            '403': { description: 'A viewer token asked for a trace or a screenshot', ...json(ref('Error')) },
          },
        },
      },
      '/api/v1/worker/jobs/{id}/artifacts/{name}': {
        parameters: [idParam, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        put: {
          summary: "A worker uploads one of its job attempt's files (raw bytes, at most 64 MB), with its own credential as the bearer token",
          parameters: [
            { name: 'X-Fleet-Worker', in: 'header', required: true, schema: { type: 'string' } },
            {
              name: 'X-Fleet-Attempt',
              in: 'header',
              required: true,
              description: 'The attempt the file belongs to: only the worker running it may upload',
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
          },
          responses: {
            '201': {
              description: 'Stored',
              ...json({
                type: 'object',
                required: ['name', 'size', 'url'],
                properties: { name: { type: 'string' }, size: { type: 'integer' }, url: { type: 'string' } },
              }),
            },
            ...errors,
            '409': { description: 'NOT_OWNER: not the worker running that attempt', ...json(ref('Error')) },
            '413': { description: 'TOO_LARGE: the body is over the cap', ...json(ref('Error')) },
          },
        },
      },
      '/api/v1/batches': { post: { ...op('Create a batch of jobs', ref('Job')), ...body('CreateBatch') } },
      '/api/v1/flows/invite': { post: { ...op('Invite members, then accept on each', ref('Job')), ...body('CreateInviteFlow') } },
      '/api/v1/monitors': {
        get: op('List monitors', page('Monitor'), { parameters: [...pageParams, { name: 'accountId', in: 'query', schema: { type: 'string' } }] }),
        post: { ...op('Create a recurring job for an account', ref('Monitor')), ...body('CreateMonitor') },
      },
      '/api/v1/monitors/{id}': { parameters: [idParam], get: op('Get a monitor', ref('Monitor')), delete: op('Delete a monitor', null) },
      '/api/v1/monitors/{id}/pause': { parameters: [idParam], post: op('Pause a monitor', ref('Monitor')) },
      '/api/v1/monitors/{id}/resume': { parameters: [idParam], post: op('Resume a monitor', ref('Monitor')) },
      '/api/v1/limits': {
        get: op("The operators' limits, the plugins' declared defaults, and the pauses in force", ref('Limits')),
        put: {
          ...op('Set the limit of a scope (account, pool or platform), target and job type; applies from the next scheduling pass', ref('Limit')),
          ...body('PutLimit'),
        },
      },
      '/api/v1/limits/{id}': { parameters: [idParam], delete: op('Delete a limit (`<scope>:<target>:<jobType>`)', null) },
      '/api/v1/workers': { get: op('List workers', page('Worker')) },
      '/api/v1/workers/{id}': { parameters: [idParam], get: op('Get a worker', ref('Worker')) },
      '/api/v1/workers/{id}/drain': { parameters: [idParam], post: op('Drain a worker: no new jobs, then its accounts move', ref('Worker')) },
      '/api/v1/workers/{id}/credential': {
        parameters: [idParam],
        delete: op("Revoke a worker's own credential and disconnect it (admin); the id may enroll again", null),
      },
      '/api/v1/worker/enroll': {
        post: {
          ...op("Enroll a worker id with the fleet token (Authorization: Bearer <FLEET_WORKER_TOKEN>): the id's own credential, shown once", {
            type: 'object',
            properties: { workerId: { type: 'string' }, credential: { type: 'string' } },
          }),
          requestBody: { required: true, ...json({ type: 'object', required: ['workerId'], properties: { workerId: { type: 'string' } } }) },
        },
      },
      '/api/v1/messages': {
        get: op('Comments and DMs found by crawls', page('Message'), {
          parameters: [
            ...pageParams,
            { name: 'accountId', in: 'query', schema: { type: 'string' } },
            { name: 'kind', in: 'query', schema: { type: 'string', enum: ['comment', 'dm'] } },
          ],
        }),
      },
      '/api/v1/tokens': {
        get: op('List API tokens (admin)', { type: 'object' }),
        post: {
          ...op('Create an API token, shown once (admin)', { type: 'object' }),
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              required: ['name', 'role'],
              properties: { name: { type: 'string' }, role: { type: 'string', enum: ['admin', 'operator', 'viewer'] } },
            }),
          },
        },
      },
      '/api/v1/tokens/{id}': { parameters: [idParam], delete: op('Revoke an API token (admin)', null) },
    },
  };
}
