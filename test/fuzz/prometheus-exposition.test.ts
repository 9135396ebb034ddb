// The Prometheus exposition both ways: our scrape parser answers any text with families or an
// ExpositionError; our exporter's output for any metrics parses again, by our parser, by an
// independent reading of the format's rules and (for the first runs) by Debian's promtool.
import { resourceFromAttributes } from '@opentelemetry/resources';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordMetrics } from '../../core/testing/index.js';
import { render } from '../../plugins/exporters/prometheus/serialize.js';
import { MetricStore } from '../../plugins/exporters/prometheus/store.js';
import {
  ExpositionError,
  parseExposition,
  SampleLimitError,
} from '../../plugins/receivers/prometheus/parse.js';
import { expositionProblems, promtoolCheckMetrics } from '../plugins/exporters/prometheus/helpers.js';
import { fuzzSettings, fuzzTimeout } from './settings.js';

const EXPOSITION_WORDS = [
  '# HELP ',
  '# TYPE ',
  '# UNIT ',
  '# EOF',
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'info',
  'stateset',
  'gaugehistogram',
  'unknown',
  'foo',
  'foo_total',
  'foo_bucket',
  'foo_created',
  '_sum',
  '_count',
  '{',
  '}',
  '{le="+Inf"}',
  '{quantile="0.5"}',
  'a="b"',
  ',',
  '=',
  '"',
  '\\"',
  '\\n',
  '\\',
  ' ',
  '\t',
  '\n',
  '\r',
  '1',
  '-1.5e3',
  'NaN',
  '+Inf',
  '-Inf',
  '0x10',
  '1_000',
  ' 1700000000000',
  ' # {a="b"} 1 1.5',
  '{"quoted.name"}',
  'é',
  '\u0000',
];
const expositionText = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...EXPOSITION_WORDS), fc.string({ maxLength: 4 })), { maxLength: 40 })
    .map((w) => w.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('fuzz: Prometheus exposition parser', () => {
  it(
    'answers any text with families or an ExpositionError',
    () => {
      let parsed = 0;
      fc.assert(
        fc.property(
          expositionText,
          fc.constantFrom('text', 'openmetrics') as fc.Arbitrary<'text' | 'openmetrics'>,
          (text, format) => {
            try {
              parseExposition(text, format, 50);
              parsed++;
            } catch (err) {
              if (!(err instanceof ExpositionError || err instanceof SampleLimitError)) throw err;
            }
          },
        ),
        fuzzSettings(2000),
      );
      expect(parsed).toBeGreaterThan(0);
    },
    fuzzTimeout(2000, 1, 1),
  );
});

const nameChars = fc.constantFrom(...'abcxyz_:.-/ é0129AZ');
const instrumentName = fc.oneof(
  fc
    .tuple(fc.constantFrom(...'abmxyz'), fc.array(nameChars, { maxLength: 10 }))
    .map(([a, b]) => a + b.join('')),
  // Names that are another family's sample names: a counter `a` writes `a_total`, a histogram `a_count`.
  fc.constantFrom(
    'a',
    'a_total',
    'a_bucket',
    'a_count',
    'a_sum',
    'a_created',
    'a_seconds',
    'a_seconds_total',
  ),
);
const UNITS = [
  '',
  's',
  'ms',
  'By',
  'KiBy',
  '1',
  '%',
  '{request}',
  'm/s',
  'total',
  'toString',
  '__proto__',
  'ratio',
];
const attributeValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);
const attributes = fc.dictionary(
  fc.oneof(instrumentName, fc.constantFrom('le', 'quantile', 'job', '__name__', 'otel_scope_name')),
  attributeValue,
  { maxKeys: 3 },
);
const instrument = fc.record({
  kind: fc.constantFrom('counter', 'updown', 'gauge', 'histogram'),
  name: instrumentName,
  unit: fc.constantFrom(...UNITS),
  description: fc.string({ unit: 'binary', maxLength: 20 }),
  records: fc.array(fc.tuple(fc.double({ min: 0, max: 1e12, noNaN: true }), attributes), {
    minLength: 1,
    maxLength: 3,
  }),
});
const metricsSet = fc.array(instrument, { minLength: 1, maxLength: 6 });

async function exposition(instruments: Instrument[]) {
  const batch = await recordMetrics(
    (provider) => {
      const meter = provider.getMeter('fuzz', '1.0.0');
      for (const i of instruments) {
        const options = { unit: i.unit, description: i.description };
        const create = {
          counter: () => meter.createCounter(i.name, options),
          updown: () => meter.createUpDownCounter(i.name, options),
          gauge: () => meter.createGauge(i.name, options),
          histogram: () => meter.createHistogram(i.name, options),
        }[i.kind];
        const made = create();
        for (const [value, attrs] of i.records) {
          if ('add' in made) made.add(value, attrs);
          else made.record(value, attrs);
        }
      }
    },
    { resource: resourceFromAttributes({ 'service.name': 'fuzz', 'service.instance.id': 'i-1' }) },
  );
  const store = new MetricStore({
    constLabels: {},
    resourceToTelemetry: false,
    expirationMs: 0,
    addSuffixes: true,
    targetInfo: true,
  });
  store.fold(batch, Date.now());
  return {
    text: render(store, 'text').toString('utf8'),
    openmetrics: render(store, 'openmetrics').toString('utf8'),
  };
}
type Instrument = {
  kind: 'counter' | 'updown' | 'gauge' | 'histogram';
  name: string;
  unit: string;
  description: string;
  records: [number, Record<string, string | number | boolean | string[]>][];
};

describe('fuzz: Prometheus serializer', () => {
  it(
    'writes an exposition that parses again, for any metrics (promtool reads the first runs too)',
    async () => {
      let promtoolRuns = 0;
      await fc.assert(
        fc.asyncProperty(metricsSet, async (instruments) => {
          const { text, openmetrics } = await exposition(instruments as Instrument[]);
          expect(expositionProblems(text, 'text')).toEqual([]);
          expect(expositionProblems(openmetrics, 'openmetrics')).toEqual([]);
          expect(() => parseExposition(text, 'text')).not.toThrow();
          expect(() => parseExposition(openmetrics, 'openmetrics')).not.toThrow();
          if (promtoolRuns++ < 25) {
            const { report } = await promtoolCheckMetrics(text);
            expect(report.filter((line) => /error|parsing/i.test(line))).toEqual([]);
          }
        }),
        fuzzSettings(150),
      );
    },
    fuzzTimeout(150, 1, 40),
  );
});
