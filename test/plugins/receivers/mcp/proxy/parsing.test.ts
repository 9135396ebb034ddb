// How the proxies find JSON-RPC messages in what they relay: stdio lines, SSE events, JSON bodies.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { JsonBody, observeBody } from '../../../../../plugins/receivers/mcp/proxy/body.js';
import { parseJsonRpc } from '../../../../../plugins/receivers/mcp/proxy/jsonrpc.js';
import { LineSplitter } from '../../../../../plugins/receivers/mcp/proxy/lines.js';
import { SseParser } from '../../../../../plugins/receivers/mcp/proxy/sse.js';

/** Feeds `text` to `push` in every possible pair of chunks, so each boundary is tried once. */
function everySplit(text: Buffer, run: (chunks: Buffer[]) => void): void {
  for (let i = 0; i <= text.length; i++) run([text.subarray(0, i), text.subarray(i)]);
}

describe('parseJsonRpc', () => {
  it('takes JSON-RPC 2.0 messages and batches, nothing else', () => {
    expect(parseJsonRpc('{"jsonrpc":"2.0","id":1,"method":"ping"}')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
    });
    expect(
      parseJsonRpc(' [{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":2,"result":{}}]\r'),
    ).toHaveLength(2);
    for (const other of [
      '',
      'hello',
      '{"jsonrpc":"1.0"}',
      '[]',
      '[{"jsonrpc":"2.0"},1]',
      '{"id":1',
      '42',
      '\0\xff',
    ])
      expect(parseJsonRpc(other), other).toBeUndefined();
  });
});

describe('LineSplitter', () => {
  it('finds the same lines wherever the chunks break, with \\r\\n and empty lines', () => {
    const text = Buffer.from('{"a":1}\r\n\nsecond line\n\nthird');
    everySplit(text, (chunks) => {
      const lines: string[] = [];
      const skipped: number[] = [];
      const splitter = new LineSplitter(
        (l) => lines.push(l.toString()),
        (n) => skipped.push(n),
      );
      for (const c of chunks) splitter.push(c);
      splitter.end();
      expect(lines).toEqual(['{"a":1}\r', 'second line']);
      expect(skipped).toEqual([5]); // "third" never got its newline
    });
  });

  it('skips a line longer than the cap once, with its whole size, and reads on', () => {
    const lines: string[] = [];
    const skipped: number[] = [];
    const splitter = new LineSplitter(
      (l) => lines.push(l.toString()),
      (n) => skipped.push(n),
      10,
    );
    splitter.push(Buffer.from('short\n0123456'));
    splitter.push(Buffer.from('789abcdef'));
    splitter.push(Buffer.from('ghij\nafter\n'));
    expect(lines).toEqual(['short', 'after']);
    expect(skipped).toEqual([20]);
  });
});

describe('SseParser', () => {
  const stream = Buffer.from(
    ': a comment\r\nevent: message\r\nid: 7\r\ndata: {"jsonrpc":"2.0",\r\ndata:"id":1}\r\n\r\n' +
      'id: 8\ndata: \n\n' + // a priming event: empty data
      'data: two\rdata: three\r\r' +
      'data: unfinished',
  );

  it('joins data lines per event wherever the chunks break and whatever the line ends', () => {
    everySplit(stream, (chunks) => {
      const events: string[] = [];
      const skipped: number[] = [];
      const parser = new SseParser(
        (d) => events.push(d),
        (n) => skipped.push(n),
      );
      for (const c of chunks) parser.push(c);
      parser.end();
      expect(events).toEqual(['{"jsonrpc":"2.0",\n"id":1}', '', 'two\nthree']);
      expect(skipped).toEqual(['data: unfinished'.length]);
    });
  });

  it('decodes UTF-8 split across chunks', () => {
    const text = Buffer.from('data: é€😀\n\n');
    everySplit(text, (chunks) => {
      const events: string[] = [];
      const parser = new SseParser(
        (d) => events.push(d),
        () => {},
      );
      for (const c of chunks) parser.push(c);
      expect(events).toEqual(['é€😀']);
    });
  });

  it('skips an event longer than the cap once and reads the next', () => {
    const events: string[] = [];
    const skipped: number[] = [];
    const parser = new SseParser(
      (d) => events.push(d),
      (n) => skipped.push(n),
      16,
    );
    parser.push(Buffer.from('data: 0123456789'));
    parser.push(Buffer.from('abcdefghij\ndata: more\n'));
    parser.push(Buffer.from('\ndata: ok\n\n'));
    expect(events).toEqual(['ok']);
    expect(skipped).toHaveLength(1);
  });
});

describe('JsonBody through observeBody', () => {
  const message = { jsonrpc: '2.0', id: 3, result: { ok: true } };

  it('reads a gzip-encoded body', async () => {
    const seen: unknown[] = [];
    const body = observeBody(
      'gzip',
      new JsonBody(
        (m) => seen.push(m),
        () => {},
      ),
      () => {},
    );
    const zipped = gzipSync(JSON.stringify(message));
    body.push(zipped.subarray(0, 5));
    body.push(zipped.subarray(5));
    body.end();
    await body.done;
    expect(seen).toEqual([message]);
  });

  it('counts what it cannot read: not JSON-RPC, an unknown encoding, a broken gzip', async () => {
    const skipped: number[] = [];
    const plain = new JsonBody(
      () => {},
      (n) => skipped.push(n),
    );
    plain.push(Buffer.from('<html>'));
    plain.end();
    const zstd = observeBody('zstd', plain, (n) => skipped.push(n));
    zstd.push(Buffer.from('abc'));
    zstd.end();
    const broken = observeBody('gzip', plain, (n) => skipped.push(n));
    broken.push(Buffer.from('not gzip at all'));
    broken.end();
    await broken.done;
    expect(skipped).toEqual([6, 3, 15]);
  });
});
