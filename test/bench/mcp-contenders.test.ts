// The contenders bench/mcp-peers measures, each driven for a few calls (no timing): what each records
// of a served tools/call, which is what the bench's "spans recorded" column reports.
import { describe, expect, it } from 'vitest';
import { CONTENDERS } from '../../bench/mcp-contenders.js';

const CALLS = 20;

describe('bench/mcp-peers contenders', () => {
  it('answer the echo, and record one span a call (Tributary, Sentry) or none (Traceloop, OpenInference)', async () => {
    const recorded: Record<string, number> = {};
    for (const contender of CONTENDERS) {
      const running = await contender.start();
      for (let n = 0; n < CALLS; n++)
        expect(await running.call()).toMatchObject({ content: [{ type: 'text', text: 'hello' }] });
      await running.stop();
      expect(running.calls()).toBe(CALLS);
      recorded[contender.name] = running.spans();
    }
    // connectEcho's own check call and `initialize` come on top of the measured calls.
    expect(recorded).toEqual({
      bare: 0,
      sentry: CALLS + 3,
      tributary: CALLS + 2,
      traceloop: 0,
      openinference: 0,
    });
  });
});
