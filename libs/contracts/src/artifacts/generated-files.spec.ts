import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EVENT_CATALOG, GOLDEN_FIXTURES, SCHEMA_NAMES } from '../catalog';
import { ALL_TOPICS, dlqTopic, LATE_TOPICS, lateTopic } from '../topics';
import { buildDlqHeaders } from '../dead-letter/dead-letter-headers';
import { ASYNCAPI_FILE, generatedFiles, SCHEMAS_DIR } from './generated-files';
import { jsonSchemaFileName } from './json-schemas';
import type { GoldenFixture } from '../common/fixtures';

const LIB_ROOT = join(__dirname, '..', '..');
const ASYNCAPI_PATH = join(LIB_ROOT, ASYNCAPI_FILE);

describe('committed generated files', () => {
  const expected = generatedFiles();

  it('match a fresh generation (run `npx nx run contracts:generate` after a contract change)', () => {
    for (const [path, content] of Object.entries(expected)) {
      expect({ path, content: readFileSync(join(LIB_ROOT, path), 'utf8') }).toEqual({ path, content });
    }
  });

  it('contain no stale schema files', () => {
    const committed = readdirSync(join(LIB_ROOT, SCHEMAS_DIR)).map((file) => `${SCHEMAS_DIR}/${file}`).sort();
    expect(committed).toEqual(Object.keys(expected).filter((path) => path.startsWith(`${SCHEMAS_DIR}/`)).sort());
  });
});

describe('JSON Schema snapshots', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const fixturesBySchema: Record<string, readonly GoldenFixture<unknown>[]> = GOLDEN_FIXTURES;

  it.each(SCHEMA_NAMES.map((name) => [name]))('%s accepts its golden fixtures and rejects a missing payload field', (name) => {
    const schema = JSON.parse(readFileSync(join(LIB_ROOT, SCHEMAS_DIR, jsonSchemaFileName(name)), 'utf8'));
    const validate = ajv.compile(schema);
    for (const fixture of fixturesBySchema[name]!) expect({ name: fixture.name, valid: validate(fixture.event), errors: validate.errors }).toMatchObject({ valid: true });
    const broken = structuredClone(fixturesBySchema[name]![0]!.event) as { payload: Record<string, unknown> };
    delete broken.payload['symbol'];
    expect(validate(broken)).toBe(false);
    expect(validate({ ...(fixturesBySchema[name]![0]!.event as object), eventTime: 1340285400 })).toBe(false);
  });

  it('dlq-headers.json accepts built headers', () => {
    const validate = ajv.compile(JSON.parse(readFileSync(join(LIB_ROOT, SCHEMAS_DIR, 'dlq-headers.json'), 'utf8')));
    const headers = buildDlqHeaders({ originalTopic: 'market.quotes.v1', originalPartition: 0, originalOffset: 7, errorClass: 'MalformedJson', errorMessage: 'x', service: 'enricher', failedAt: 1795284000000 });
    expect(validate(headers)).toBe(true);
    expect(validate({ ...headers, 'x-dlq-error-class': 'Nope' })).toBe(false);
  });
});

describe('AsyncAPI document', () => {
  const text = readFileSync(ASYNCAPI_PATH, 'utf8');

  it('parses with @asyncapi/parser with zero error diagnostics', async () => {
    const { document, diagnostics } = await new Parser().parse(text, { source: ASYNCAPI_PATH });
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0)).toEqual([]);
    expect(document).toBeDefined();
    const trades = document!.channels().all().find((channel) => channel.address() === 'market.trades.v1');
    const payload = trades!.messages().all()[0]!.payload();
    expect(Object.keys(payload!.properties() ?? {})).toEqual(['schema', 'id', 'eventTime', 'eventTimeNs', 'ingestTime', 'source', 'payload']);
  }, 30_000);

  it('reports errors for a broken document (the check can fail)', async () => {
    const broken = text.replace('./schemas/market.trade.v1.json', './schemas/missing.json').replace('action: send', 'action: publish');
    const { diagnostics } = await new Parser().parse(broken, { source: ASYNCAPI_PATH });
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0).length).toBeGreaterThan(0);
  }, 30_000);

  it('describes every topic, its .dlq and the .late topics, keyed by symbol, on the two listeners', () => {
    const document = parse(text) as {
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
      servers: Record<string, { host: string; protocol: string; security?: unknown[] }>;
      components: { messages: Record<string, { bindings?: { kafka?: { key?: { pattern?: string } } } }> };
    };
    const addresses = Object.values(document.channels).map((channel) => channel.address).sort();
    expect(addresses).toEqual([...ALL_TOPICS, ...ALL_TOPICS.map(dlqTopic), ...LATE_TOPICS.map(lateTopic)].sort());
    expect(document.servers['local']?.host).toBe('localhost:9092');
    expect(document.servers['customer']?.host).toMatch(/:9096$/);
    expect(document.servers['customer']?.security).toHaveLength(1);
    for (const name of SCHEMA_NAMES) {
      const key = Object.entries(document.channels).find(([, channel]) => channel.address === EVENT_CATALOG[name].topic)![1];
      const messageRef = Object.values(key.messages)[0] as { $ref: string };
      const message = document.components.messages[messageRef.$ref.split('/').pop()!];
      expect(message?.bindings?.kafka?.key?.pattern).toBe('^[A-Z][A-Z0-9.-]{0,9}$');
    }
  });
});
