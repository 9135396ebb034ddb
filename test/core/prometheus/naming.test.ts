// OpenTelemetry names to Prometheus names, per the OpenTelemetry-to-Prometheus compatibility rules.
import { describe, expect, it } from 'vitest';
import { attributeLabels, escapeLabelValue } from '../../../core/prometheus/labels.js';
import { labelName, metricNames, type PromType, unitSuffix } from '../../../core/prometheus/naming.js';

const suffixed = { addSuffixes: true };

describe('metric names', () => {
  it.each<[name: string, unit: string, type: PromType, text: string, openMetrics: string]>([
    // invalid characters to `_`, repeats collapsed
    ['http.server.requests', '', 'gauge', 'http_server_requests', 'http_server_requests'],
    ['cache-hits', '', 'gauge', 'cache_hits', 'cache_hits'],
    ['a..b--c', '', 'gauge', 'a_b_c', 'a_b_c'],
    ['queue/depth (items)', '', 'gauge', 'queue_depth_items', 'queue_depth_items'],
    ['2xx.responses', '', 'gauge', '_2xx_responses', '_2xx_responses'],
    ['requests.', '', 'counter', 'requests_total', 'requests'],
    // `_total` on monotonic sums, never twice
    ['http.requests', '', 'counter', 'http_requests_total', 'http_requests'],
    ['mcp_requests_total', '', 'counter', 'mcp_requests_total', 'mcp_requests'],
    ['mcp_tool_executions_total', '', 'counter', 'mcp_tool_executions_total', 'mcp_tool_executions'],
    // non-monotonic sums are gauges: no `_total`
    ['mcp_active_connections', '', 'gauge', 'mcp_active_connections', 'mcp_active_connections'],
    // unit suffixes, not duplicated
    [
      'mcp.server.operation.duration',
      's',
      'histogram',
      'mcp_server_operation_duration_seconds',
      'mcp_server_operation_duration_seconds',
    ],
    [
      'mcp_request_duration_seconds',
      's',
      'histogram',
      'mcp_request_duration_seconds',
      'mcp_request_duration_seconds',
    ],
    [
      'http.client.duration',
      'ms',
      'histogram',
      'http_client_duration_milliseconds',
      'http_client_duration_milliseconds',
    ],
    ['process.memory.usage', 'By', 'gauge', 'process_memory_usage_bytes', 'process_memory_usage_bytes'],
    ['network.io', 'By', 'counter', 'network_io_bytes_total', 'network_io_bytes'],
    ['sent_bytes_total', 'By', 'counter', 'sent_bytes_total', 'sent_bytes'],
    [
      'system.memory.utilization',
      '1',
      'gauge',
      'system_memory_utilization_ratio',
      'system_memory_utilization_ratio',
    ],
    ['cpu_ratio', '1', 'gauge', 'cpu_ratio', 'cpu_ratio'],
    ['events', '1', 'counter', 'events_total', 'events'],
    [
      'tributary_exporter_sent_items',
      '{item}',
      'counter',
      'tributary_exporter_sent_items_total',
      'tributary_exporter_sent_items',
    ],
    ['throughput', 'By/s', 'gauge', 'throughput_bytes_per_second', 'throughput_bytes_per_second'],
    ['request.rate', '{request}/s', 'gauge', 'request_rate_per_second', 'request_rate_per_second'],
    ['speed', 'm/h', 'gauge', 'speed_meters_per_hour', 'speed_meters_per_hour'],
    ['dropped', 'packets', 'counter', 'dropped_packets_total', 'dropped_packets'],
    ['temperature', 'Cel', 'gauge', 'temperature_celsius', 'temperature_celsius'],
    ['seconds', 's', 'gauge', 'seconds', 'seconds'],
  ])('%s (%s, %s) -> %s', (name, unit, type, text, openMetrics) => {
    expect(metricNames(name, unit, type, suffixed)).toMatchObject({ text, openMetrics });
  });

  it('says which unit OpenMetrics declares: only one the family name ends with', () => {
    expect(metricNames('d', 's', 'histogram', suffixed)?.unit).toBe('seconds');
    expect(metricNames('u', '1', 'gauge', suffixed)?.unit).toBe('ratio');
    expect(metricNames('n', '{item}', 'counter', suffixed)?.unit).toBe('');
    expect(metricNames('d', 's', 'histogram', { addSuffixes: false })?.unit).toBe('');
  });

  it('prefixes the namespace', () => {
    expect(metricNames('requests', '', 'counter', { namespace: 'mcp', addSuffixes: true })).toMatchObject({
      text: 'mcp_requests_total',
      openMetrics: 'mcp_requests',
    });
  });

  it('with add_metric_suffixes off keeps the instrument name (OpenMetrics still needs _total on samples)', () => {
    const off = { addSuffixes: false };
    expect(metricNames('http.duration', 's', 'histogram', off)).toMatchObject({ text: 'http_duration' });
    expect(metricNames('http.requests', '', 'counter', off)).toMatchObject({
      text: 'http_requests',
      openMetrics: 'http_requests',
    });
    expect(metricNames('mcp_requests_total', '', 'counter', off)).toMatchObject({
      text: 'mcp_requests_total',
      openMetrics: 'mcp_requests',
    });
  });

  it('gives up on names with nothing valid left', () => {
    expect(metricNames('...', '', 'gauge', suffixed)).toBeUndefined();
  });
});

describe('unit suffixes', () => {
  it.each<[unit: string, type: PromType, suffix: string]>([
    ['s', 'histogram', 'seconds'],
    ['ms', 'histogram', 'milliseconds'],
    ['us', 'histogram', 'microseconds'],
    ['ns', 'histogram', 'nanoseconds'],
    ['min', 'gauge', 'minutes'],
    ['h', 'gauge', 'hours'],
    ['d', 'gauge', 'days'],
    ['By', 'gauge', 'bytes'],
    ['KiBy', 'gauge', 'kibibytes'],
    ['MiBy', 'gauge', 'mebibytes'],
    ['GBy', 'gauge', 'gigabytes'],
    ['%', 'gauge', 'percent'],
    ['Hz', 'gauge', 'hertz'],
    ['1', 'gauge', 'ratio'],
    ['1', 'counter', ''],
    ['1', 'histogram', ''],
    ['{request}', 'counter', ''],
    ['{packet}', 'gauge', ''],
    ['By/s', 'gauge', 'bytes_per_second'],
    ['{packet}/s', 'gauge', 'per_second'],
    ['1/s', 'gauge', 'per_second'],
    ['m/s', 'gauge', 'meters_per_second'],
    ['By/mo', 'gauge', 'bytes_per_month'],
    ['req.s', 'gauge', 'req_s'],
    ['', 'gauge', ''],
    // Units that are names of Object.prototype's members are words like any other (found by fuzzing).
    ['toString', 'gauge', 'toString'],
    ['By/constructor', 'gauge', 'bytes_per_constructor'],
  ])('%s on a %s -> %s', (unit, type, suffix) => {
    expect(unitSuffix(unit, type)).toBe(suffix);
  });
});

describe('label names and values', () => {
  it.each([
    ['method', 'method'],
    ['http.route', 'http_route'],
    ['mcp.method.name', 'mcp_method_name'],
    ['gen_ai.tool.name', 'gen_ai_tool_name'],
    ['__reserved', '_reserved'],
    ['a__b', 'a_b'],
    ['2fa', 'key_2fa'],
    ['ünïcode', '_n_code'],
    ['', 'key_'],
  ])('%s -> %s', (key, name) => {
    expect(labelName(key)).toBe(name);
  });

  it('escapes backslashes, quotes and newlines in values', () => {
    expect(escapeLabelValue('C:\\tmp "x"\nnext')).toBe('C:\\\\tmp \\"x\\"\\nnext');
    expect(escapeLabelValue('plain/value')).toBe('plain/value');
  });

  it('sorts labels by name, writes non-string values as text, arrays as JSON', () => {
    expect(attributeLabels({ method: 'tools/call', endpoint: 'add', ok: true, n: 3, tags: ['a', 'b'] })).toBe(
      'endpoint="add",method="tools/call",n="3",ok="true",tags="[\\"a\\",\\"b\\"]"',
    );
  });

  it('joins the values of keys that become one label with ";", in the order of the original keys', () => {
    expect(attributeLabels({ 'a.b': 'dot', a_b: 'underscore', 'a-b': 'dash' })).toBe(
      'a_b="dash;dot;underscore"',
    );
  });
});
