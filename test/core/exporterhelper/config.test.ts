import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { duration } from '../../../core/config/units.js';
import { exporterConfig, exporterSettings } from '../../../core/exporterhelper/index.js';

const schema = z.strictObject(exporterSettings);

describe('exporter settings', () => {
  it('gives every key a default, so {} is a valid config', () => {
    expect(schema.parse({})).toEqual({
      timeout: 5000,
      retry_on_failure: {
        enabled: true,
        initial_interval: 5000,
        max_interval: 30_000,
        max_elapsed_time: 300_000,
        multiplier: 1.5,
        randomization_factor: 0.5,
      },
      sending_queue: { enabled: true, queue_size: 1000, num_consumers: 4, when_full: 'block' },
    });
  });

  it('reads durations with units and fills in the keys left out', () => {
    const config = schema.parse({
      timeout: 0,
      retry_on_failure: { initial_interval: '250ms', max_elapsed_time: 0 },
      sending_queue: { when_full: 'drop_newest' },
    });
    expect(config.timeout).toBe(0);
    expect(config.retry_on_failure).toMatchObject({
      initial_interval: 250,
      max_interval: 30_000,
      max_elapsed_time: 0,
    });
    expect(config.sending_queue).toMatchObject({ queue_size: 1000, when_full: 'drop_newest' });
  });

  it.each([
    [{ retry_on_failure: { max_intervall: '1s' } }, ['retry_on_failure']],
    [{ sending_queue: { when_full: 'drop_oldest' } }, ['sending_queue', 'when_full']],
    [{ sending_queue: { queue_size: 0 } }, ['sending_queue', 'queue_size']],
    [{ sending_queue: { num_consumers: 1.5 } }, ['sending_queue', 'num_consumers']],
    [{ retry_on_failure: { randomization_factor: 2 } }, ['retry_on_failure', 'randomization_factor']],
    [{ retry_on_failure: { initial_interval: 0 } }, ['retry_on_failure', 'initial_interval']],
    [{ timeout: '5 seconds' }, ['timeout']],
  ])('rejects %j at %j', (input, path) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });

  it('allows initial_interval 0 when retrying is off', () => {
    expect(schema.safeParse({ retry_on_failure: { enabled: false, initial_interval: 0 } }).success).toBe(
      true,
    );
  });
});

describe('exporterConfig', () => {
  const config = exporterConfig({
    endpoint: z.string().default('http://127.0.0.1:4318'),
    timeout: duration().prefault('30s'),
  });

  it('adds the exporter own keys to the shared ones, and may change a shared default', () => {
    const parsed = config.parse({});
    expect(parsed.endpoint).toBe('http://127.0.0.1:4318');
    expect(parsed.timeout).toBe(30_000);
    expect(parsed.sending_queue.num_consumers).toBe(4);
  });

  it('is strict: an unknown key is an error', () => {
    const result = config.safeParse({ endpont: 'x' });
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['endpont'] });
  });
});
