import type { Readable, Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';
import { onStopSignals } from '../../../../core/cli/run.js';
import { redactText } from '../../../../core/config/redact.js';
import { endpoint } from '../../../../core/config/units.js';
import type { ValidConfig } from '../../../../core/config/validate.js';
import { Engine } from '../../../../core/engine.js';
import { TributaryError, TributaryErrors } from '../../../../core/errors.js';
import type { CliContext } from '../../../../core/plugin.js';
import { createLogger } from '../../../../core/telemetry/logger.js';
import type { McpHooks } from '../types.js';
import { startHttpProxy } from './http.js';
import { runStdioProxy } from './stdio.js';

/** The process streams the stdio proxy relays (tests pass their own). */
export interface ProxyStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

interface Options {
  config: string[];
  receiver: string;
  listen?: string;
  upstream?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `tributary mcp-proxy`: a transparent proxy in front of an MCP server, observed by an `mcp` receiver.
 *   mcp-proxy --config FILE... [--receiver mcp] -- COMMAND [ARGS...]     (stdio)
 *   mcp-proxy --config FILE... --listen HOST:PORT --upstream URL          (Streamable HTTP)
 * In stdio mode it exits with the server's exit code; in HTTP mode it runs until SIGINT/SIGTERM.
 */
export function addMcpProxyCommand(program: Command, cli: CliContext, io: ProxyStreams = process): void {
  program
    .command('mcp-proxy')
    .description('put a transparent proxy in front of an MCP server and observe it with an mcp receiver')
    .usage('--config FILE... [--receiver ID] (-- COMMAND [ARGS...] | --listen HOST:PORT --upstream URL)')
    .addOption(
      new Option('-c, --config <file>', 'a YAML config file; repeat to merge several in order')
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .option('--receiver <id>', 'the mcp receiver that observes the traffic (it must be in a pipeline)', 'mcp')
    .option('--listen <host:port>', 'HTTP mode: where the proxy listens; the host defaults to 127.0.0.1')
    .option(
      '--upstream <url>',
      "HTTP mode: the MCP server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3001/mcp",
    )
    .argument('[command...]', 'stdio mode: the MCP server to run, after --')
    .action(async (command: string[], o: Options, self: Command) => {
      const http = Boolean(o.listen || o.upstream);
      if (command.length > 0 && http) self.error(USAGE.both, { exitCode: 1 });
      if (command.length > 0) return runStdio(cli, o, command, io);
      if (!o.listen || !o.upstream) self.error(http ? USAGE.half : USAGE.neither, { exitCode: 1 });
      return runHttp(cli, o, parseListen(o.listen as string), parseUpstream(o.upstream as string));
    });
}

const USAGE = {
  both: 'error: give either -- COMMAND [ARGS...] (stdio) or --listen and --upstream (HTTP), not both',
  half: 'error: HTTP mode needs both --listen HOST:PORT and --upstream URL',
  neither:
    'error: say which MCP server to proxy: -- COMMAND [ARGS...] for stdio, or --listen HOST:PORT --upstream URL for Streamable HTTP',
};

/**
 * How long after closing a stdio server's stdin an MCP client waits before SIGTERM (the MCP SDK's
 * StdioClientTransport: 2 s), less time for the server and then this process to exit.
 */
const CLIENT_CLOSE_DRAIN_MS = 1500;

async function runStdio(cli: CliContext, o: Options, [command, ...args]: string[], io: ProxyStreams) {
  const { engine, config } = await loadChecked(cli, o, { stdio: true });
  await engine.start();
  // The client closing stdin starts its clock: the drain must end before the client kills us.
  let drainBy: number | undefined;
  io.stdin.once('end', () => {
    drainBy = performance.now() + CLIENT_CLOSE_DRAIN_MS;
  });
  let code: number;
  try {
    const hooks = hooksOf(engine, o.receiver);
    code = await runStdioProxy(hooks, command as string, args, { ...io, logger: loggerOf(engine) });
  } finally {
    const timeoutMs =
      drainBy === undefined
        ? config.service.shutdown_timeout
        : Math.max(0, Math.min(config.service.shutdown_timeout, drainBy - performance.now()));
    if (drainBy !== undefined)
      loggerOf(engine).info(
        { drain_ms: Math.round(timeoutMs) },
        'The MCP client closed stdin: draining before it would stop this process.',
      );
    await drainDespiteOneSignal(engine, timeoutMs);
  }
  process.exitCode = code;
}

/**
 * A client may still send SIGTERM (then SIGKILL) while the queues drain: it must not cut the drain
 * short (`timeoutMs` bounds it); a second signal still exits at once.
 */
async function drainDespiteOneSignal(engine: Engine, timeoutMs: number): Promise<void> {
  const release = onStopSignals(engine, () => {}, 'already draining queues');
  try {
    await engine.shutdown({ timeoutMs });
  } finally {
    release();
  }
}

async function runHttp(cli: CliContext, o: Options, listen: { host: string; port: number }, upstream: URL) {
  const { engine } = await loadChecked(cli, o, { stdio: false });
  const logger = () => loggerOf(engine);
  // As `tributary run`: the first signal drains, a second exits at once.
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const release = onStopSignals(engine, () => stop(), 'closing the proxy, draining queues');
  try {
    await engine.start();
    try {
      const proxy = await startHttpProxy(hooksOf(engine, o.receiver), { listen, upstream, logger: logger() });
      await stopped;
      await proxy.close();
    } finally {
      await engine.shutdown();
    }
  } finally {
    release();
  }
}

/**
 * Loads the engine and refuses, before anything starts, what cannot work: no such receiver in a
 * pipeline, or (stdio) a component that declares it writes to stdout, which belongs to the MCP stream.
 */
async function loadChecked(
  cli: CliContext,
  o: Options,
  { stdio }: { stdio: boolean },
): Promise<{ engine: Engine; config: ValidConfig }> {
  const engine = await Engine.fromFile(o.config, cli);
  const { config, graph } = await engine.validate();
  if (!graph.nodes.some((n) => n.kind === 'receiver' && n.id === o.receiver)) {
    const defined = config.components.receivers.has(o.receiver);
    throw new TributaryError(
      'TRB_PROXY_NO_RECEIVER',
      defined
        ? `receiver "${o.receiver}" is in no pipeline, so nothing would observe the proxied traffic`
        : `the config has no receiver "${o.receiver}" to observe the proxied traffic`,
      defined ? engine.source.locate(['receivers', o.receiver], { key: true }) : { path: 'receivers' },
      `add "${o.receiver}: {}" under receivers: (type mcp) and list it in a pipeline, e.g. service.pipelines.traces.receivers: [${o.receiver}]`,
    );
  }
  if (!stdio) return { engine, config };
  // Every component that would run: the graph's (once per id) and the service's extensions.
  const running = new Set([
    ...graph.nodes.flatMap((n) => n.component ?? []),
    ...config.service.extensions.flatMap((id) => config.components.extensions.get(id) ?? []),
  ]);
  const conflicts = [...running]
    .filter((c) => c.plugin.capabilities?.writesToStdout?.(c.config) === true)
    .map(
      (c) =>
        new TributaryError(
          'TRB_PROXY_STDOUT_CONFLICT',
          `${c.kind} "${c.id}" writes to stdout, which carries the MCP stream in stdio mode`,
          engine.source.locate([`${c.kind}s`, c.id], { key: true }),
          'make it write elsewhere (a stdout exporter: stream: stderr; a file exporter: a real file), or remove it from service:',
        ),
    );
  if (conflicts.length) throw new TributaryErrors(conflicts);
  return { engine, config };
}

function hooksOf(engine: Engine, receiver: string): McpHooks {
  const hooks = engine.sharedOf<Partial<McpHooks>>(receiver);
  if (typeof hooks?.session !== 'function') {
    throw new TributaryError(
      'TRB_PROXY_NO_RECEIVER',
      `receiver "${receiver}" is not an mcp receiver, so it cannot observe MCP traffic`,
      { path: `receivers.${receiver}` },
      'name an mcp receiver with --receiver (its id is mcp or mcp/NAME)',
    );
  }
  return hooks as McpHooks;
}

function parseListen(value: string): { host: string; port: number } {
  const parsed = endpoint('').safeParse(value);
  if (parsed.success) return parsed.data;
  throw new TributaryError(
    'TRB_CONFIG_BAD_ENDPOINT',
    `invalid --listen ${JSON.stringify(value)}`,
    { path: '--listen' },
    'use HOST:PORT, e.g. 127.0.0.1:8080 (the host defaults to 127.0.0.1)',
  );
}

function parseUpstream(value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
  throw new TributaryError(
    'TRB_PROXY_BAD_UPSTREAM',
    `invalid --upstream ${JSON.stringify(redactText(value))}`,
    { path: '--upstream' },
    "give the MCP server's Streamable HTTP endpoint as an http(s) URL, e.g. http://127.0.0.1:3001/mcp",
  );
}

// The engine makes its logger at start; the fallback only covers a failure before that.
function loggerOf(engine: Engine): Logger {
  return engine.logger ?? createLogger();
}
