// What the engine's HTTP endpoints (the prometheus exporter, the otlp receiver) share.
import type { Server, ServerResponse } from 'node:http';

/** Answers with a short plain-text body (help, 404, 405 ...), for the engine's HTTP endpoints. */
export function answerText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

/** Stops listening and closes every connection, idle keep-alive ones included. */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
