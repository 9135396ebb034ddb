// The HTTP proxy's session table: one McpSession per Mcp-Session-Id, closed when the session ends.
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpSessions } from '../../../../../plugins/receivers/mcp/proxy/sessions.js';
import { RecordingHooks } from './fixtures/recording-hooks.js';

const logger = pino({ level: 'silent' });
afterEach(() => void vi.useRealTimers());

describe('HttpSessions', () => {
  it('gives an initialize its own session, known by the id its response assigns', () => {
    const hooks = new RecordingHooks();
    const sessions = new HttpSessions(hooks, logger, 0);
    const initialize = sessions.provisional('10.0.0.1');
    expect(hooks.sessions[0]?.options.sessionId?.()).toBeUndefined();
    expect(sessions.adopt(initialize, 'abc', true)).toBe(false);
    expect(hooks.sessions[0]?.options).toMatchObject({ transport: 'tcp', clientAddress: '10.0.0.1' });
    expect(hooks.sessions[0]?.options.sessionId?.()).toBe('abc');
    expect(sessions.named('abc', undefined)).toBe(initialize);
    sessions.end('abc');
    expect(hooks.sessions[0]?.closed).toBe(true);
    expect(sessions.size).toBe(0);
  });

  it('without an id (stateless server) the first initialize becomes the shared session; a failed one is dropped', () => {
    const hooks = new RecordingHooks();
    const sessions = new HttpSessions(hooks, logger, 0);
    const first = sessions.provisional(undefined);
    expect(sessions.adopt(first, undefined, true)).toBe(false);
    expect(sessions.shared(undefined)).toBe(first);
    expect(sessions.adopt(sessions.provisional(undefined), undefined, true)).toBe(true); // close after its exchange
    expect(sessions.adopt(sessions.provisional(undefined), undefined, false)).toBe(true);
    sessions.closeAll();
    expect(hooks.sessions[0]?.closed).toBe(true);
  });

  it('closes a session idle past the limit, not one with a stream open', () => {
    vi.useFakeTimers();
    const hooks = new RecordingHooks();
    const sessions = new HttpSessions(hooks, logger, 60_000);
    sessions.named('idle', undefined);
    const streaming = sessions.named('streaming', undefined);
    streaming.open = 1;
    vi.advanceTimersByTime(3 * 60_000);
    expect(hooks.sessions.map((s) => s.closed)).toEqual([true, false]);
    expect(sessions.size).toBe(1);
    sessions.closeAll();
    expect(vi.getTimerCount()).toBe(0);
  });
});
