import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../core/testing/index.js';
import { builtins } from '../../plugins/index.js';
import { HttpBackend } from '../plugins/exporters/decoders/backends.js';

const CLI = join(import.meta.dirname, '../../dist/cli.js');
const fixture = (name: string) => join(import.meta.dirname, '../fixtures/invalid', name);
const tributary = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('tributary validate', () => {
  const cases: [string, RegExp][] = [
    [
      'unknown-exporter.yaml',
      /unknown-exporter\.yaml:9:19: TRB_CONFIG_UNKNOWN_COMPONENT service\.pipelines\.metrics\.exporters\[0\]: unknown exporter "stdot"; did you mean "stdout"\?/,
    ],
    [
      'unknown-key.yaml',
      /unknown-key\.yaml:3:5: TRB_CONFIG_UNKNOWN_KEY receivers\.selftelemetry\.colection_interval: unknown key "colection_interval"; did you mean "collection_interval"\?/,
    ],
    [
      'bad-duration.yaml',
      /bad-duration\.yaml:2:41: TRB_CONFIG_BAD_DURATION receivers\.selftelemetry\.collection_interval: invalid duration "5 minutes"/,
    ],
    [
      'undefined-env.yaml',
      /undefined-env\.yaml:4:17: TRB_CONFIG_ENV_UNDEFINED exporters\.file\.path: environment variable TRIBUTARY_TEST_UNSET_DIR is not set/,
    ],
    [
      'undefined-component.yaml',
      /undefined-component\.yaml:9:20: TRB_CONFIG_UNKNOWN_COMPONENT service\.pipelines\.metrics\.processors\[0\]: unknown processor "batch"; define it, e.g. processors: \{ batch: \{\} \}$/m,
    ],
    [
      'missing-plugin.yaml',
      /missing-plugin\.yaml:2:5: TRB_PLUGIN_NOT_FOUND plugins\[0\]: cannot find plugin module "\.\/plugins\/does-not-exist\.js"/,
    ],
    [
      'cycle.yaml',
      /cycle\.yaml:\d+:\d+: TRB_CONFIG_CYCLE service\.pipelines\.metrics\/\w: pipelines form a cycle: metrics\/(a|b) -> forward\/(ab|ba) -> metrics\/(a|b) -> forward\/(ab|ba) -> metrics\/(a|b)/,
    ],
  ];
  it.each(cases)('%s: exit 1, a located TRB error, no stack trace', (file, expected) => {
    const run = spawnSync(process.execPath, [CLI, 'validate', '--config', fixture(file)], {
      encoding: 'utf8',
      env: { ...process.env, TRIBUTARY_TEST_UNSET_DIR: undefined },
    });
    expect(run.stderr).toMatch(expected);
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('five independent mistakes: all five at once, each located, exit 1', () => {
    const run = spawnSync(process.execPath, [CLI, 'validate', '--config', fixture('five-mistakes.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, TRIBUTARY_TEST_UNSET_TIMEOUT: undefined },
    });
    const at = `${fixture('five-mistakes.yaml')}:`;
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `error: ${at}7:55: TRB_CONFIG_ENV_UNDEFINED exporters.otlp.timeout: environment variable TRIBUTARY_TEST_UNSET_TIMEOUT is not set; set it, or give a default: \${env:TRIBUTARY_TEST_UNSET_TIMEOUT:-value}`,
      `error: ${at}9:31: TRB_CONFIG_INVALID_VALUE service.telemetry.logs.level: invalid value "verbose"; valid: "trace", "debug", "info", "warn", "error", "fatal", "silent"`,
      `error: ${at}2:41: TRB_CONFIG_BAD_DURATION receivers.selftelemetry.collection_interval: invalid duration 10: add a unit, e.g. "10s" or "10ms"`,
      `error: ${at}4:3: TRB_CONFIG_UNKNOWN_TYPE processors.batchh: unknown processor type "batchh"; did you mean "batch"?`,
      `error: ${at}6:13: TRB_CONFIG_UNKNOWN_KEY exporters.stdout.strem: unknown key "strem"; did you mean "stream"?`,
    ]);
    expect(run.status).toBe(1);
  });

  it('exit 0 on the default config', () => {
    const run = tributary('validate', '--config', join(import.meta.dirname, '../../config/default.yaml'));
    expect(run.stderr).toContain('valid');
    expect(run.status).toBe(0);
  });
});

describe('a mistyped command', () => {
  it('is named, with the command it probably meant', () => {
    const run = tributary('valdate', '--config', fixture('unknown-key.yaml'));
    expect(run.stderr).toBe(
      'error: TRB_CLI_UNKNOWN_COMMAND unknown command "valdate"; did you mean "validate"?\n',
    );
    expect(run.status).toBe(1);
  });
});

describe('tributary components', () => {
  it('--json lists every built-in with kind, type, signals and stability', () => {
    const run = tributary('components', '--json');
    expect(run.status).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      kind: string;
      type: string;
      signals: string[];
      stability: Record<string, string>;
    }[];
    expect(rows.map((r) => `${r.kind}/${r.type}`).sort()).toEqual(
      builtins.map((p) => `${p.kind}/${p.type}`).sort(),
    );
    expect(rows.find((r) => r.type === 'batch')).toMatchObject({
      kind: 'processor',
      signals: ['traces', 'metrics', 'logs'],
      stability: { traces: 'beta' },
    });
    expect(rows.find((r) => r.type === 'forward')?.signals).toContain('logs->logs');
  });
});

describe('tributary graph', () => {
  const config = fixture('../graph.yaml');
  it('prints a mermaid flowchart', () => {
    const run = tributary('graph', '--config', config);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('flowchart LR');
    expect(run.stdout).toContain('"metrics/in"');
    expect(run.stdout).toMatch(/\{\{"forward<br\/>metrics → metrics"\}\}/);
  });
  it('--format dot prints a DOT digraph', () => {
    const run = tributary('graph', '--config', config, '--format', 'dot');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^digraph tributary \{/);
    expect(run.stdout).toContain('subgraph cluster_');
    expect(run.stdout).toContain('[label="forward\\nmetrics -> metrics", shape=hexagon]');
    expect(run.stdout.trim().endsWith('}')).toBe(true);
  });
});

describe('tributary print-config', () => {
  it('prints the merged config with env expanded and secrets redacted', () => {
    const run = spawnSync(process.execPath, [CLI, 'print-config', '--config', fixture('../secrets.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, TRB_TEST_TOKEN: 's3cr3t-value', TRB_TEST_DIR: '/tmp/trb' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('s3cr3t-value');
    expect(run.stdout).toContain('api_token: "[REDACTED]"');
    expect(run.stdout).toContain('path: /tmp/trb/out.jsonl');
  });
});

describe('secrets', () => {
  it('a header from ${env:...} that reads as a number is valid, and print-config redacts it', () => {
    const run = spawnSync(
      process.execPath,
      [CLI, 'print-config', '--config', fixture('../secret-headers.yaml')],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          TRB_TEST_KEY: '271828',
          TRB_TEST_ENDPOINT: 'https://bot:pa55word@gw.example:4318',
        },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('x-api-key: "[REDACTED]"');
    expect(run.stdout).toContain('endpoint: https://bot:REDACTED@gw.example:4318/');
    expect(run.stdout).not.toMatch(/271828|pa55word/);
  });

  it("print-config masks a secret's value wherever else the config writes it", () => {
    const run = spawnSync(
      process.execPath,
      [CLI, 'print-config', '--config', fixture('../secret-reused.yaml')],
      {
        encoding: 'utf8',
        env: { ...process.env, TRB_TEST_KEY: 'k3y-271828' },
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('endpoint: https://gw.example:4318/tenants/[REDACTED]');
    expect(run.stdout).not.toContain('k3y-271828');
  });

  it("the engine's log lines never hold the secret, even when the backend's answer quotes it", async () => {
    const backend = await HttpBackend.start();
    backend.reply = (request) => ({ status: 401, body: `unknown key ${request.headers['x-api-key']}` });
    const endpoint = backend.url.replace('http://', 'http://bot:pa55word@');
    const child = spawn(process.execPath, [CLI, 'run', '--config', fixture('../secret-headers.yaml')], {
      env: { ...process.env, TRB_TEST_KEY: '271828', TRB_TEST_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await expect.poll(() => stderr, { timeout: 15_000 }).toContain('answered HTTP 401');
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('exit', resolve));
      await backend.close();
    }
    // The backend got the real key, as text; the log has the answer with the key masked.
    expect(backend.requests[0]?.headers['x-api-key']).toBe('271828');
    expect(stderr).toContain('unknown key [REDACTED]');
    expect(stderr).not.toMatch(/271828|pa55word/);
  });
});

describe('tributary run', () => {
  it('a component that cannot start: exit 1 naming it and where it is configured, nothing left running', () => {
    const run = tributary('run', '--config', fixture('unwritable-file.yaml'));
    expect(run.stderr).toMatch(
      /unwritable-file\.yaml:4:3: TRB_EXPORTER_FILE_WRITE exporters\.file: exporter "file" failed to start: cannot open \/etc\/passwd\/metrics\.jsonl/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(1);
  });

  it('runs the embedded default config: host metrics on /metrics, the probes, the admin page; SIGINT exits 0', async () => {
    // The shipped ports (9464, 13133, 55679), moved to free ones through the config's own env defaults.
    const [metrics, health, admin] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      PROMETHEUS_ENDPOINT: `127.0.0.1:${metrics}`,
      HEALTH_ENDPOINT: `127.0.0.1:${health}`,
      ADMIN_ENDPOINT: `127.0.0.1:${admin}`,
    };
    const child = spawn(process.execPath, [CLI], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await expect.poll(() => stderr, { timeout: 15_000 }).toContain('Everything is ready');
      // Said once, on stderr: where to look.
      const ready = stderr.split('\n').find((l) => l.includes('Everything is ready')) as string;
      expect(JSON.parse(ready).endpoints).toEqual({
        metrics: `http://127.0.0.1:${metrics}/metrics`,
        health: `http://127.0.0.1:${health}/health`,
        admin: `http://127.0.0.1:${admin}/`,
      });
      const scraped = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      expect(scraped).toMatch(/^system_cpu_time_seconds_total\{/m);
      expect(scraped).toMatch(/^system_memory_usage_bytes\{/m);
      expect(scraped).toMatch(/^tributary_receiver_accepted_items_total\{/m);
      expect(await (await fetch(`http://127.0.0.1:${health}/health`)).json()).toMatchObject({
        status: 'healthy',
      });
      expect((await fetch(`http://127.0.0.1:${health}/ready`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${admin}/`)).text()).toContain('hostmetrics');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('Shutdown complete');
  });
  it('stops on SIGINT although a component hangs in shutdown(): abandoned after service.shutdown_timeout, exit 0', async () => {
    const config = join(import.meta.dirname, '../fixtures/lifecycle/hanging.yaml');
    const child = spawn(process.execPath, [CLI, 'run', '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await expect.poll(() => stderr, { timeout: 15_000 }).toContain('Everything is ready');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toMatch(
      /hanging\.yaml:3:3: TRB_COMPONENT_SHUTDOWN_TIMEOUT receivers\.hanging: receiver \\"hanging\\" did not finish shutting down within the 100 ms deadline; abandoned it/,
    );
    expect(stderr).toContain('Shutdown complete');
  });
});

describe('third-party plugins', () => {
  it('load from the config and appear in components next to the built-ins', () => {
    const config = join(import.meta.dirname, '../../examples/third-party-plugin/pipeline.yaml');
    const run = tributary('components', '--json', '--config', config);
    expect(run.stderr).toBe('');
    const rows = JSON.parse(run.stdout) as { kind: string; type: string; signals: string[] }[];
    expect(rows.find((r) => r.type === 'add_attribute')).toEqual({
      kind: 'processor',
      type: 'add_attribute',
      signals: ['traces', 'metrics', 'logs'],
      stability: { traces: 'alpha', metrics: 'alpha', logs: 'alpha' },
      description: 'Stamps one attribute on every span, metric data point and log record.',
    });
    expect(tributary('validate', '--config', config).status).toBe(0);
  });
});
