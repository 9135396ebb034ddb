// The MCP server instrumentations bench/mcp-peers compares, each on the same in-memory `tools/call`
// echo (MCP SDK 1.x McpServer + Client), each recording to a no-op sink that counts its spans.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import * as serverModule from '@modelcontextprotocol/sdk/server/index.js';
import * as serverStdioModule from '@modelcontextprotocol/sdk/server/stdio.js';
import * as serverStreamableHTTPModule from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { instrumentMcpServer } from '../plugins/receivers/mcp/instrument.js';
import { connectEcho, ECHO_REQUEST, noopPipeline } from './round-trips.js';

export interface Contender {
  name: string;
  /** What runs, in a line. */
  label: string;
  start(): Promise<Running>;
}

export interface Running {
  call(): Promise<unknown>;
  /** tools/call round trips made through `call` (warm-up included). */
  calls(): number;
  /** Spans it recorded so far (read after `stop` for the final count). */
  spans(): number;
  stop(): Promise<void>;
}

function running(client: Client, spans: () => number, stop: () => Promise<void> = async () => {}): Running {
  let calls = 0;
  return {
    call: () => {
      calls++;
      return client.callTool(ECHO_REQUEST);
    },
    calls: () => calls,
    spans,
    stop: async () => {
      await client.close();
      await stop();
    },
  };
}

/** An OpenTelemetry tracer provider whose span processor only counts what ends: a no-op exporter. */
function countingProvider(): { provider: BasicTracerProvider; ended: () => number } {
  let ended = 0;
  const counter: SpanProcessor = {
    onStart: () => {},
    onEnd: () => {
      ended++;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return { provider: new BasicTracerProvider({ spanProcessors: [counter] }), ended: () => ended };
}

const bare: Contender = {
  name: 'bare',
  label: 'McpServer + Client, nothing observing',
  start: async () => running(await connectEcho((server) => server), () => 0),
};

const tributary: Contender = {
  name: 'tributary',
  label: 'instrumentMcpServer -> mcp receiver -> no-op exporters (traces, metrics, logs)',
  async start() {
    const { pipeline, exported } = await noopPipeline();
    const client = await connectEcho((server) => instrumentMcpServer(server, pipeline.engine));
    return running(
      client,
      () => exported.traces,
      () => pipeline.shutdown(),
    );
  },
};

const sentry: Contender = {
  name: 'sentry',
  label: '@sentry/node wrapMcpServerWithSentry, tracesSampleRate 1, a transport that sends nothing',
  async start() {
    const Sentry = await import('@sentry/node');
    let ended = 0;
    Sentry.init({
      dsn: 'https://public@127.0.0.1/1',
      tracesSampleRate: 1,
      defaultIntegrations: false,
      transport: () => ({ send: async () => ({}), flush: async () => true }),
    });
    Sentry.getClient()?.on('spanEnd', () => {
      ended++;
    });
    const client = await connectEcho((server) => Sentry.wrapMcpServerWithSentry(server));
    return running(
      client,
      () => ended,
      async () => void (await Sentry.close(100)),
    );
  },
};

const traceloop: Contender = {
  name: 'traceloop',
  label: '@traceloop/instrumentation-mcp on the SDK Server, to a counting span processor',
  async start() {
    const { McpInstrumentation } = await import('@traceloop/instrumentation-mcp');
    const { provider, ended } = countingProvider();
    const instrumentation = new McpInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(serverModule);
    return running(await connectEcho((server) => server), ended, () => provider.shutdown());
  },
};

const openinference: Contender = {
  name: 'openinference',
  label: '@arizeai/openinference-instrumentation-mcp on the server transports, to a counting span processor',
  async start() {
    const { MCPInstrumentation } = await import('@arizeai/openinference-instrumentation-mcp');
    const { provider, ended } = countingProvider();
    const instrumentation = new MCPInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument({ serverStdioModule, serverStreamableHTTPModule });
    return running(await connectEcho((server) => server), ended, () => provider.shutdown());
  },
};

/**
 * In the order a single process starts them: Sentry before Tributary, because Sentry needs the
 * global OpenTelemetry context manager and tracer provider it registers (Tributary then finds
 * Sentry's manager and runs every handler in its request's context).
 */
export const CONTENDERS: Contender[] = [bare, sentry, tributary, traceloop, openinference];
