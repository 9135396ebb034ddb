import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { TributaryError } from '../../../../core/errors.js';
import type { McpHooks, McpSession } from '../types.js';
import { observationGuard, openSession } from './guard.js';
import { parseJsonRpc } from './jsonrpc.js';
import { LineSplitter } from './lines.js';

export interface StdioProxyOptions {
  /** What the MCP client writes: relayed to the server's stdin. */
  stdin: Readable;
  /** Where the server's stdout goes, byte for byte. Nothing else is ever written to it. */
  stdout: Writable;
  /** Where the server's stderr goes. */
  stderr: Writable;
  logger: Logger;
  /** Signals of this process passed on to the server. Default SIGINT, SIGTERM, SIGHUP. */
  signals?: readonly NodeJS.Signals[];
}

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs a stdio MCP server as a child process and stands between it and the client: stdin and stdout
 * are relayed unchanged (the raw chunks are piped; the hooks observe copies, after each chunk has been
 * passed on), stderr passes through, signals are forwarded. Resolves with the server's exit code, or
 * 128 + the signal number when a signal killed it, as a shell reports it.
 */
export async function runStdioProxy(
  hooks: McpHooks,
  command: string,
  args: readonly string[],
  options: StdioProxyOptions,
): Promise<number> {
  const { stdin, stdout, stderr, logger } = options;
  const child = spawn(command, args, { stdio: 'pipe' });
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (code, signal) => resolve([code, signal])),
  );
  // After the start, an error is a failed kill() or the like: the exit code still tells the story.
  child.on('error', (err) => child.pid !== undefined && logger.warn({ err }, 'MCP server process error'));
  try {
    await once(child, 'spawn');
  } catch (err) {
    throw new TributaryError(
      'TRB_PROXY_SPAWN_FAILED',
      `cannot start the MCP server "${command}": ${(err as Error).message}`,
      {},
      'check the command after -- and that it is on PATH',
    );
  }

  const session = openSession(hooks, { side: 'server', transport: 'pipe' }, logger);
  const observer = new StdioObserver(session, logger);
  // Listeners after pipe(): each chunk is written on before it is looked at.
  stdin.pipe(child.stdin);
  stdin.on('data', observer.fromClient);
  stdin.once('end', observer.clientEnded);
  child.stdout.pipe(stdout, { end: false });
  child.stdout.on('data', observer.fromServer);
  child.stdout.once('end', observer.serverEnded);
  child.stderr.pipe(stderr, { end: false });

  // The server exiting while the client still writes (EPIPE) is normal; the exit code tells the story.
  child.stdin.on('error', (err) => logger.debug({ err }, 'MCP server stdin closed'));
  const onStdoutError = (err: Error) => {
    logger.warn({ err }, 'cannot write to stdout (the MCP client went away); still draining the server');
    child.stdout.unpipe(stdout);
    child.stdout.resume();
  };
  stdout.on('error', onStdoutError);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = options.signals ?? FORWARDED_SIGNALS;
  for (const signal of signals) process.on(signal, forward);

  const [code, signal] = await closed;
  for (const s of signals) process.off(s, forward);
  stdin.unpipe(child.stdin);
  stdin.off('data', observer.fromClient);
  stdin.off('end', observer.clientEnded);
  stdin.pause();
  observer.clientEnded();
  observer.serverEnded();
  const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
  session.close(
    exitCode === 0 ? undefined : new Error(`the MCP server exited with ${signal ?? `code ${code}`}`),
  );
  await flushed(stdout);
  stdout.off('error', onStdoutError);
  return exitCode;
}

/** Splits both directions into lines and reports each to the session; never throws into the relay. */
class StdioObserver {
  private readonly incoming: LineSplitter;
  private readonly outgoing: LineSplitter;
  private readonly guard: (observe: () => void) => void;

  constructor(
    private readonly session: McpSession,
    logger: Logger,
  ) {
    this.guard = observationGuard(logger);
    const unparsed = (bytes: number) => this.guard(() => session.unparsed(bytes));
    this.incoming = new LineSplitter((line) => this.line(line, true), unparsed);
    this.outgoing = new LineSplitter((line) => this.line(line, false), unparsed);
  }

  readonly fromClient = (chunk: Buffer) => this.guard(() => this.incoming.push(chunk));
  readonly fromServer = (chunk: Buffer) => this.guard(() => this.outgoing.push(chunk));
  readonly clientEnded = () => this.guard(() => this.incoming.end());
  readonly serverEnded = () => this.guard(() => this.outgoing.end());

  private line(line: Buffer, fromClient: boolean): void {
    this.guard(() => {
      const message = parseJsonRpc(line);
      if (message === undefined) this.session.unparsed(line.length);
      else if (fromClient) this.session.incoming(message, { size: line.length });
      // The returned copy (trace context added to requests) is for in-process use; a proxy relays bytes.
      else this.session.outgoing(message, { size: line.length });
    });
  }
}

/** Resolves once everything written to `stream` so far has been handed on. */
function flushed(stream: Writable): Promise<void> {
  if (stream.writableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write(Buffer.alloc(0), () => resolve()));
}
