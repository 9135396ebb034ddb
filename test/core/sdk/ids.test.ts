import { describe, expect, it } from 'vitest';
import { randomSpanId, randomTraceId } from '../../../core/sdk/ids.js';

describe('pooled random ids', () => {
  it('gives W3C trace and span ids: lowercase hex of 16 and 8 bytes, none repeated across pool refills', () => {
    // 20,000 of each draws ~117 pools of 4 KiB.
    const traces = Array.from({ length: 20_000 }, randomTraceId);
    const spans = Array.from({ length: 20_000 }, randomSpanId);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(traces).size).toBe(traces.length);
    expect(new Set(spans).size).toBe(spans.length);
    expect(traces).not.toContain('0'.repeat(32));
  });
});
