import { fstatSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';
import { onStopSignals } from '../../../../core/cli/run.js';
import { redactText } from '../../../../core/config/redact.js';
import { endpoint } from '../../../../core/config/units.js';
import type { Engine } from '../../../../core/engine.js';
import { TributaryError } from '../../../../core/errors.js';
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

async function runStdio(cli: CliContext, o: Options, [command, ...args]: string[], io: ProxyStreams) {
  const engine = await loadChecked(cli, o, { stdio: true });
  await engine.start();
  let code: number;
  try {
    const hooks = hooksOf(engine, o.receiver);
    code = await runStdioProxy(hooks, command as string, args, { ...io, logger: loggerOf(engine) });
  } finally {
    await drainDespiteOneSignal(engine);
  }
  process.exitCode = code;
}

/**
 * MCP clients close a stdio server by ending its stdin, then SIGTERM, then SIGKILL a few seconds
 * apart: the SIGTERM must not cut the drain short (service.shutdown_timeout bounds it); a second
 * signal still exits at once.
 */
async function drainDespiteOneSignal(engine: Engine): Promise<void> {
  const release = onStopSignals(engine, () => {}, 'already draining queues');
  try {
    await engine.shutdown();
  } finally {
    release();
  }
}

async function runHttp(cli: CliContext, o: Options, listen: { host: string; port: number }, upstream: URL) {
  const engine = await loadChecked(cli, o, { stdio: false });
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
 * pipeline, or (stdio) an exporter writing to stdout, which belongs to the MCP stream.
 */
async function loadChecked(cli: CliContext, o: Options, { stdio }: { stdio: boolean }): Promise<Engine> {
  const engine = await cli.loadEngine(o.config);
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
  if (stdio) {
    const culprit = graph.nodes.find((n) => n.kind === 'exporter' && writesToStdout(n.component));
    if (culprit) {
      throw new TributaryError(
        'TRB_PROXY_STDOUT_CONFLICT',
        `exporter "${culprit.id}" writes to stdout, which carries the MCP stream in stdio mode`,
        engine.source.locate(['exporters', culprit.id], { key: true }),
        'set "stream: stderr" on a stdout exporter, or write to a file',
      );
    }
  }
  return engine;
}

/** The built-in exporters that can be told to write to this process's stdout. */
function writesToStdout(component: { type: string; config: unknown } | undefined): boolean {
  const config = component?.config as { stream?: unknown; path?: unknown } | undefined;
  if (component?.type === 'stdout') return config?.stream === 'stdout';
  if (component?.type === 'file') return isStdout(String(config?.path));
  return false;
}

/** Whether `path` is this process's stdout under any name (/dev/stdout, /proc/1/fd/1, a symlink). */
function isStdout(path: string): boolean {
  try {
    const [file, out] = [statSync(resolve(path)), fstatSync(1)];
    return file.dev === out.dev && file.ino === out.ino;
  } catch {
    return false;
  }
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
