/**
 * The OpenAPI 3 document of `flowbench serve`'s HTTP API, served at `GET /api/openapi.json`.
 * Hand-written; rest-api.test.ts checks that every route is documented and every documented
 * operation answers.
 */
import { TRAFFIC_CLASSES } from '../../../src-shared/classify-api.js';
import { WINDOW_ROW_COLUMNS } from '../../store/window-rows.js';
import { EXPORT_FORMATS, EXPORT_TABLES } from '../../export/export-tables.js';

const json = (schema: unknown): unknown => ({ 'application/json': { schema } });
const STATS = { type: 'object', properties: { min: { type: 'number' }, mean: { type: 'number' }, max: { type: 'number' }, std: { type: 'number' } }, description: 'min, mean, max, std; omitted = zeros' };
const ref = (name: string): unknown => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): unknown => ({ description, content: json(ref('Error')) });
const idParam = (description: string, schema: unknown): unknown => ({ name: 'id', in: 'path', required: true, description, schema });
const queryParam = (name: string, description: string, schema: unknown): unknown => ({ name, in: 'query', required: false, description, schema });

const errors = {
  '400': error('A field or parameter is invalid; the message names it.'),
  '401': { description: 'A token is required (server bound off loopback, or --token given): `Authorization: Bearer TOKEN`.' },
};

/** The document. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: {
    title: 'Flowbench',
    version: '1',
    description:
      'Network traffic analysis over HTTP: open captures, read window metrics, follow jobs, export tables, scrape metrics. ' +
      'Column names are snake_case data names; API objects use camelCase. Errors are `{ "error": { "code", "message" } }`. ' +
      'JSON bodies are limited to 1 MiB and must be sent as application/json. The same API is on the WebSocket at /api/ws.',
  },
  security: [{}, { bearer: [] }],
  paths: {
    '/api/health': {
      get: { summary: 'Liveness', responses: { '200': { description: 'Up', content: json({ type: 'object', properties: { ok: { type: 'boolean' } } }) } } },
    },
    '/api/upload': {
      post: {
        summary: 'Upload a capture file and open it',
        parameters: [{ name: 'name', in: 'query', required: true, description: 'File name to keep', schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '200': { description: 'Ingest started', content: json(ref('JobStarted')) }, '413': error('Over the upload limit'), ...errors },
      },
    },
    '/api/sources': {
      get: { summary: 'List sources', responses: { '200': { description: 'Sources', content: json({ type: 'array', items: ref('Source') }) }, ...errors } },
      post: {
        summary: 'Open a capture file that is on the server',
        requestBody: {
          required: true,
          content: json({
            type: 'object', required: ['path'], additionalProperties: false,
            properties: { path: { type: 'string', description: 'Absolute path on the server' }, force: { type: 'boolean', description: 'Re-analyse even if stored' } },
          }),
        },
        responses: {
          '202': { description: 'Ingest queued; follow it at /api/jobs/{jobId}', content: json(ref('JobStarted')) },
          '404': error('No such file'), '413': error('Body over 1 MiB'), '415': error('Not application/json'), ...errors,
        },
      },
    },
    '/api/sources/{id}': {
      get: {
        summary: 'One source',
        parameters: [idParam('Source id', { type: 'integer', minimum: 1 })],
        responses: { '200': { description: 'The source', content: json(ref('Source')) }, '404': error('No such source'), ...errors },
      },
    },
    '/api/sources/{id}/windows': {
      get: {
        summary: 'Window rows of a source (as `flowbench query windows --json`)',
        parameters: [
          idParam('Source id', { type: 'integer', minimum: 1 }),
          queryParam('from', 'Epoch seconds, inclusive', { type: 'number' }),
          queryParam('to', 'Epoch seconds, exclusive', { type: 'number' }),
          queryParam('resolution', 'Window seconds, or auto: the finest whose rows fit limit', { type: 'string', enum: ['1', '10', '60', 'auto'], default: 'auto' }),
          queryParam('limit', 'Most rows', { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10_000 }),
          queryParam('fill', 'Also list empty windows', { type: 'boolean', default: false }),
        ],
        responses: {
          '200': {
            description: 'Rows in time order',
            content: json({
              type: 'object',
              properties: { sourceId: { type: 'integer' }, resolution: { type: 'integer' }, rows: { type: 'array', items: ref('WindowRow') } },
            }),
          },
          '404': error('No such source'), ...errors,
        },
      },
    },
    '/api/jobs/{id}': {
      get: {
        summary: 'Progress of a job (ingest, capture, training)',
        parameters: [idParam('Job id, e.g. ingest-3', { type: 'string' })],
        responses: { '200': { description: 'The job', content: json(ref('Job')) }, '404': error('No such job (or forgotten)'), ...errors },
      },
    },
    '/api/models': {
      get: { summary: 'Models with task, status, evaluation and created time', responses: { '200': { description: 'Models', content: json({ type: 'array', items: ref('Model') }) }, ...errors } },
    },
    '/api/train': {
      post: {
        summary: 'Train a model (task forecast, anomaly or classify) on a source, several sources (classify) or a metrics_file on the server; progress at /api/jobs/{jobId}',
        requestBody: { required: true, content: json(ref('TrainRequest')) },
        responses: {
          '202': {
            description: 'Training started',
            content: json({ type: 'object', properties: { jobId: { type: 'string' }, modelId: { type: 'integer' }, sourceIds: { type: 'array', items: { type: 'integer' } }, job: { type: 'string' } } }),
          },
          '404': error('No such source, or no such metrics_file'), '413': error('Body over 1 MiB'), '415': error('Not application/json'), ...errors,
        },
      },
    },
    '/traffic/classify': {
      post: {
        summary: 'Traffic class of one flow (flow) or a batch (flows) from behaviour alone, by a classify model (default: the newest ready one)',
        requestBody: { required: true, content: json(ref('ClassifyRequest')) },
        responses: {
          '200': { description: 'flow: { model, label, confidence }; flows: { model, predictions: [{ label, confidence }] } in request order', content: json(ref('ClassifyResult')) },
          '404': error('No such model, or no ready classify model'), '413': error('Body over 64 MiB'), '415': error('Not application/json'), ...errors,
        },
      },
    },
    '/api/export': {
      post: {
        summary: 'Export a table under the workspace folder (exports/DIR)',
        requestBody: { required: true, content: json(ref('ExportRequest')) },
        responses: {
          '200': { description: 'Files written', content: json(ref('ExportResult')) },
          '404': error('No such source'), '409': error('Another export is running'), '413': error('Body over 1 MiB'), '415': error('Not application/json'), ...errors,
        },
      },
    },
    '/api/anomalies/detect': {
      post: {
        summary: 'Anomalous windows of a source (or a metrics_file on the server): Isolation Forest over its windows, an anomaly model\'s flags with `model`, or a forecast model\'s residual anomalies; isolation_forest flags are stored (export table anomalies)',
        requestBody: { required: true, content: json(ref('AnomalyRequest')) },
        responses: {
          '200': { description: 'Flagged windows (kind tells which detector)', content: json(ref('AnomalyResult')) },
          '404': error('No such source or model'), '413': error('Body over 1 MiB'), '415': error('Not application/json'), ...errors,
        },
      },
    },
    '/api/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3 document', content: json({ type: 'object' }) } } } },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Model: {
        type: 'object',
        properties: {
          id: { type: 'integer' }, name: { type: 'string' }, task: { type: 'string', enum: ['forecast', 'anomaly', 'classify'] },
          status: { type: 'string', enum: ['training', 'ready', 'failed'] }, sourceId: { type: 'integer', nullable: true },
          createdAt: { type: 'integer' }, evaluation: { type: 'object', nullable: true },
        },
      },
      Error: {
        type: 'object', required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
      JobStarted: { type: 'object', required: ['jobId'], properties: { jobId: { type: 'string' }, job: { type: 'string', description: 'URL of the job' } } },
      Source: {
        type: 'object',
        properties: {
          id: { type: 'integer' }, kind: { type: 'string', enum: ['file', 'capture', 'series'] }, displayName: { type: 'string' },
          path: { type: 'string', nullable: true }, status: { type: 'string', enum: ['ingesting', 'complete', 'partial', 'failed'] },
          packets: { type: 'integer' }, bytes: { type: 'integer' }, capturedBytes: { type: 'integer' },
          firstTimestamp: { type: 'string', nullable: true }, lastTimestamp: { type: 'string', nullable: true }, error: { type: 'string', nullable: true },
        },
      },
      Job: {
        type: 'object',
        properties: {
          jobId: { type: 'string' }, kind: { type: 'string', enum: ['ingest', 'capture', 'train', 'simulate'] },
          phase: { type: 'string', enum: ['queued', 'running', 'done', 'cancelled', 'failed'] }, sourceId: { type: 'integer', nullable: true },
          bytesDone: { type: 'integer' }, bytesTotal: { type: 'integer' }, packets: { type: 'integer' }, etaSeconds: { type: 'number', nullable: true },
          error: { nullable: true, allOf: [{ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }] },
        },
      },
      WindowRow: {
        type: 'object',
        properties: Object.fromEntries(WINDOW_ROW_COLUMNS.map((c) => [c, { type: 'number', nullable: c !== 't' }])),
      },
      AnomalyRequest: {
        type: 'object', additionalProperties: false, description: 'Give source or metrics_file',
        properties: {
          source: { type: 'integer', minimum: 1 },
          metrics_file: { type: 'string', description: 'Absolute path on the server of a CSV/JSONL window series; imported as a series source first (the same source when opened before)' },
          resolution: { type: 'number', exclusiveMinimum: 0, maximum: 86400, description: "Window seconds (default: a series' own step, else the finest stored resolution with at most 20 000 windows)" },
          contamination: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, description: 'Share of windows flagged (default 0.05)' },
          from: { type: 'number', description: 'Epoch seconds' }, to: { type: 'number', description: 'Epoch seconds' },
          seed: { type: 'integer', minimum: 0 },
          model: { type: 'integer', minimum: 1, description: 'An anomaly model id: its flags (from/to allowed; resolution, contamination, seed come from the model); or a forecast model id: its residual anomalies (no other field but source)' },
        },
      },
      AnomalyResult: {
        type: 'object', required: ['kind', 'sourceId', 'anomalies'],
        properties: {
          kind: { type: 'string', enum: ['isolation_forest', 'forecast_residual'] },
          sourceId: { type: 'integer' }, modelId: { type: 'integer', nullable: true, description: 'The anomaly or forecast model (null: a forest fitted on the fly)' },
          resolution: { type: 'number' }, contamination: { type: 'number' }, threshold: { type: 'number' }, windows: { type: 'integer' },
          from: { type: 'number', nullable: true }, to: { type: 'number', nullable: true }, elapsedMs: { type: 'number' },
          band: { type: 'object', properties: { low: { type: 'number' }, high: { type: 'number' } }, description: 'forecast_residual only' },
          anomalies: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                t: { type: 'number' }, score: { type: 'number', description: 'isolation_forest: score in (0, 1]' },
                probability: { type: 'number', description: 'isolation_forest: share of training windows scoring lower' },
                severity: { type: 'string', enum: ['low', 'medium', 'high'] }, message: { type: 'string' },
                drivers: {
                  type: 'array', description: 'isolation_forest: top three features',
                  items: {
                    type: 'object',
                    properties: {
                      feature: { type: 'string' }, column: { type: 'string' }, value: { type: 'number' }, usual: { type: 'number' },
                      robustZ: { type: 'number' }, direction: { type: 'string', enum: ['above', 'below'] }, attribution: { type: 'number' }, text: { type: 'string' },
                    },
                  },
                },
                actual: { type: 'number' }, predicted: { type: 'number' }, residual: { type: 'number' },
                direction: { type: 'string', enum: ['above', 'below'] }, excess: { type: 'number', description: 'forecast_residual: band widths outside' },
              },
            },
          },
        },
      },
      TrainRequest: {
        type: 'object', required: ['task'], additionalProperties: false, description: 'Give exactly one of source, sources (classify) or metrics_file',
        properties: {
          model_name: { type: 'string' }, task: { type: 'string', enum: ['forecast', 'anomaly', 'classify'] },
          source: { type: 'integer', minimum: 1 },
          sources: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'classify: training sources (the groups of the split by file)' },
          metrics_file: { type: 'string', description: 'Absolute path on the server of a CSV/JSONL window series, imported as a series source first' },
          target: { type: 'string', description: 'forecast: window metric, default bytes_per_second' }, resolution: { type: 'integer', description: 'forecast, anomaly' },
          features: { type: 'array', items: { type: 'string' }, description: 'forecast: input metrics besides the target, e.g. bif_mean, bif_max, rtt_gradient, bif_gradient' },
          series: {
            type: 'object', required: ['by', 'name'], description: 'forecast: the bytes of one traffic type or service (window bytes split by the flows in each window) instead of a metric',
            properties: { by: { type: 'string', enum: ['traffic_type', 'service'] }, name: { type: 'string' }, top: { type: 'integer', minimum: 1, maximum: 50 } },
          },
          lookback: { type: 'integer', description: 'forecast' }, horizon: { type: 'integer', description: 'forecast' }, epochs: { type: 'integer', description: 'forecast, classify' },
          contamination: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, description: 'anomaly: share of training windows flagged (default 0.05)' },
          from: { type: 'number', description: 'forecast, anomaly' }, to: { type: 'number', description: 'forecast, anomaly' }, seed: { type: 'integer' },
        },
      },
      FlowBehaviour: {
        type: 'object', required: ['proto', 'duration', 'fwd_packets', 'bwd_packets', 'fwd_bytes', 'bwd_bytes', 'early_packets'], additionalProperties: false,
        description: 'A flow as the classifier sees it: statistics and first packets, never addresses, ports or names (those fields are refused). Same names as the flows export.',
        properties: {
          proto: { type: 'integer', minimum: 0, maximum: 255, description: 'IP protocol (6 TCP, 17 UDP)' }, duration: { type: 'number', minimum: 0, description: 'Seconds' },
          fwd_packets: { type: 'integer', minimum: 0, description: 'client → server' }, bwd_packets: { type: 'integer', minimum: 0 },
          fwd_bytes: { type: 'integer', minimum: 0, description: 'Wire bytes' }, bwd_bytes: { type: 'integer', minimum: 0 },
          fwd_header_bytes: { type: 'integer', minimum: 0 }, bwd_header_bytes: { type: 'integer', minimum: 0 },
          pkt_len: STATS, fwd_pkt_len: STATS, bwd_pkt_len: STATS, iat: STATS, fwd_iat: STATS, bwd_iat: STATS,
          syn_count: { type: 'integer', minimum: 0 }, fin_count: { type: 'integer', minimum: 0 }, rst_count: { type: 'integer', minimum: 0 },
          psh_count: { type: 'integer', minimum: 0 }, ack_count: { type: 'integer', minimum: 0 }, urg_count: { type: 'integer', minimum: 0 },
          handshake_rtt: { type: 'number', nullable: true, minimum: 0, description: 'Seconds; null without a complete handshake' },
          early_packets: {
            type: 'array', maxItems: 30, description: 'First packets: [wire size, direction (1 client→server, -1 server→client), seconds since the previous packet]',
            items: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'number' } },
          },
        },
      },
      ClassifyRequest: {
        type: 'object', additionalProperties: false, description: 'Give flow or flows (at most 100 000)',
        properties: {
          flow: ref('FlowBehaviour'), flows: { type: 'array', items: ref('FlowBehaviour'), maxItems: 100000 },
          model: { type: 'integer', minimum: 1, description: 'A classify model id (default: the newest ready classify model)' },
        },
      },
      ClassifyResult: {
        type: 'object',
        properties: {
          model: { type: 'integer' },
          label: { type: 'string', enum: [...TRAFFIC_CLASSES], description: 'flow only' }, confidence: { type: 'number', description: 'flow only: probability of label' },
          predictions: {
            type: 'array', description: 'flows only, in request order',
            items: { type: 'object', properties: { label: { type: 'string', enum: [...TRAFFIC_CLASSES] }, confidence: { type: 'number' } } },
          },
        },
      },
      ExportRequest: {
        type: 'object', required: ['format', 'table'], additionalProperties: false,
        properties: {
          format: { type: 'string', enum: [...EXPORT_FORMATS] },
          table: { type: 'string', enum: [...EXPORT_TABLES] },
          source: { type: 'integer', minimum: 1, description: 'One source (default: every source with rows)' },
          dir: { type: 'string', description: 'Folder name under <workspace folder>/exports (default: a timestamp)' },
          resolution: { type: 'integer', enum: [1, 10, 60], description: 'Windows only (default 1)' },
        },
      },
      ExportResult: {
        type: 'object',
        properties: {
          table: { type: 'string' }, format: { type: 'string' }, rows: { type: 'integer' },
          dir: { type: 'string', description: 'Relative to the workspace folder' },
          files: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, rows: { type: 'integer' } } } },
        },
      },
    },
  },
} as const;
