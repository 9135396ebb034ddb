import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeServer } from '../../../core/http/server.js';

/** A server whose one route answers when the test lets it, and a keep-alive client. */
async function slowServer() {
  let answer!: () => void;
  const arrived = new Promise<void>((resolve) => {
    const server = createServer((_req, res) => {
      resolve();
      answer = () => res.end('taken');
    });
    holder.server = server;
  });
  const server = holder.server as ReturnType<typeof createServer>;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true });
  const response = new Promise<{ status?: number; body: string } | Error>((resolve) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', agent }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', resolve);
    req.end('data');
  });
  await arrived;
  return { server, response, answer: () => answer(), agent };
}
const holder: { server?: ReturnType<typeof createServer> } = {};

describe('closeServer', () => {
  it('lets a request in flight be answered before the connection closes', async () => {
    const { server, response, answer, agent } = await slowServer();
    const closed = closeServer(server, 5_000);
    setTimeout(answer, 50);
    expect(await response).toEqual({ status: 200, body: 'taken' });
    await closed;
    expect(server.listening).toBe(false);
    agent.destroy();
  });

  it('cuts a request still unanswered when the grace runs out', async () => {
    const { server, response, agent } = await slowServer();
    await closeServer(server, 50);
    expect(await response).toBeInstanceOf(Error);
    agent.destroy();
  });
});
