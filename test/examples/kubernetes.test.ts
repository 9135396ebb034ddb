// examples/kubernetes/: every manifest passes the Kubernetes schemas, and every Tributary container in
// them is wired as its config says: a valid config, probes on health_check, ports on its endpoints,
// Services and OTLP exporters that lead where they should.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/load.js';
import { Engine } from '../../main.js';
import {
  argAfter,
  type Container,
  checkSchema,
  componentsOf,
  hostPort,
  listenerProblems,
  listeners,
  loadManifests,
  type Manifest,
  portNumber,
  probeProblems,
  type TributaryContainer,
  tributaryContainers,
} from './manifests.js';

const located = loadManifests(join(import.meta.dirname, '../../examples/kubernetes'));
const manifests = located.map((l) => l.manifest);
const tributary = tributaryContainers(manifests);
const byId = tributary.map((t) => [t.id, t] as const);
const scraped = byId.filter(([, t]) => componentsOf(t.config.exporters, 'prometheus').length);
const otlpSenders = byId.filter(([, t]) => componentsOf(t.config.exporters, 'otlp').length);
const services = manifests.filter((m) => m.kind === 'Service').map((s) => [s.metadata.name, s] as const);

/** The containers of the workloads whose pods carry every label of `selector`. */
function selected(selector: Record<string, unknown> = {}): Container[] {
  return manifests.flatMap((m) => {
    const labels = m.spec?.template?.metadata?.labels ?? {};
    const matches = Object.entries(selector).every(([k, v]) => labels[k] === v);
    return matches && m.spec?.template ? m.spec.template.spec.containers : [];
  });
}

/** The container port a Service port leads to, in the pods it selects. */
function targetOf(service: Manifest, port: number): { container: Container; port: number } | undefined {
  const entry = service.spec?.ports?.find((p) => p.port === port);
  for (const container of selected(service.spec?.selector)) {
    const target = portNumber(container, entry?.targetPort ?? entry?.port);
    if (target !== undefined && container.ports?.some((p) => p.containerPort === target))
      return { container, port: target };
  }
  return undefined;
}

describe('examples/kubernetes', () => {
  it('runs Tributary as the MCP server sidecar, the node agent and the gateway', () => {
    expect(byId.map(([id]) => id)).toEqual([
      'DaemonSet/tributary-agent/tributary',
      'Deployment/tributary-gateway/tributary',
      'Deployment/mcp-server/tributary',
    ]);
  });

  it.each(
    located.map((l) => [`${l.file}: ${l.manifest.kind}/${l.manifest.metadata.name}`, l.manifest] as const),
  )('%s passes the Kubernetes schema', (_, manifest) => {
    checkSchema(manifest);
  });

  it.each(byId)('%s: the config in its ConfigMap is valid', async (id, t) => {
    await new Engine(parseConfigText(t.configText, `${id}: --config`)).validate();
  });

  it.each(byId)('%s: liveness asks GET /health, readiness GET /ready, on the health_check port', (_, t) => {
    expect(probeProblems(t)).toEqual([]);
  });

  it.each(byId)('%s: listens on 0.0.0.0, on ports the container declares', (_, t) => {
    expect(listenerProblems(t)).toEqual([]);
  });

  it.each(scraped)('%s: the prometheus.io annotations name the prometheus exporter', (_, t) => {
    const [[, exporter]] = componentsOf(t.config.exporters, 'prometheus') as [[string, { endpoint: string }]];
    expect(t.workload.spec?.template?.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(hostPort(exporter.endpoint).port),
      'prometheus.io/path': '/metrics',
    });
  });

  it.each(services)('Service %s leads each port to a container port of the pods it selects', (_, service) => {
    for (const { port } of service.spec?.ports ?? [])
      expect(targetOf(service, port), `port ${port}`).toBeDefined();
  });

  it.each(otlpSenders)(
    '%s: the otlp exporters reach the gateway otlp receiver through its Service',
    (_, t) => {
      for (const [name, exporter] of componentsOf(t.config.exporters, 'otlp')) {
        const url = new URL(exporter.endpoint as string);
        const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === url.hostname);
        const target = service && targetOf(service, Number(url.port));
        expect(target, `exporters.${name}: no Service leads ${url.host} to a container port`).toBeDefined();
        const gateway = tributary.find((g) => g.container === target?.container);
        const receiver =
          gateway && listeners(gateway).find((l) => l.what === 'receivers.otlp.protocols.http');
        expect(receiver?.endpoint && hostPort(receiver.endpoint).port).toBe(target?.port);
      }
    },
  );

  it("mcp-proxy passes the MCP traffic to the server's container in its pod", () => {
    const [, proxy] = byId.find(([id]) => id === 'Deployment/mcp-server/tributary') as [
      string,
      TributaryContainer,
    ];
    const upstream = new URL(argAfter(proxy.container, '--upstream', proxy.id));
    expect(upstream.hostname).toBe('127.0.0.1');
    const server = proxy.pod.containers.find((c) =>
      c.ports?.some((p) => p.containerPort === Number(upstream.port)),
    );
    expect(server?.name).toBe('mcp-server');
  });

  it('probes the server behind the proxy from inside its pod: the kubelet asks the pod IP, where a server on 127.0.0.1 never answers', () => {
    const [, proxy] = byId.find(([id]) => id === 'Deployment/mcp-server/tributary') as [
      string,
      TributaryContainer,
    ];
    const server = proxy.pod.containers.find((c) => c.name === 'mcp-server');
    const probes = [server?.readinessProbe, server?.livenessProbe];
    expect(probes.filter((p) => p?.tcpSocket || p?.httpGet)).toEqual([]);
    expect(server?.readinessProbe?.exec?.command?.join(' ')).toContain("('127.0.0.1', 8000)");
  });

  it("the agent reads the node: hostmetrics' root_path is the node's / read-only, with its /proc", () => {
    const [, agent] = byId.find(([id]) => id.startsWith('DaemonSet/')) as [string, TributaryContainer];
    const hostmetrics = componentsOf(agent.config.receivers, 'hostmetrics')[0]?.[1];
    const root = (hostmetrics as { root_path: string }).root_path;
    const mountOf = (hostPath: string) => {
      const volume = agent.pod.volumes?.find((v) => v.hostPath?.path === hostPath);
      return agent.container.volumeMounts?.find((m) => m.name === volume?.name);
    };
    expect(mountOf('/')).toMatchObject({ mountPath: root, readOnly: true });
    expect(mountOf('/proc')).toMatchObject({ mountPath: `${root}/proc`, readOnly: true });
  });
});

describe('the schema check', () => {
  const deployment = (container: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'broken' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } },
    },
  });

  it('passes a well-formed Deployment', () => {
    expect(() =>
      checkSchema(deployment({ name: 'c', image: 'i', ports: [{ containerPort: 8000 }] })),
    ).not.toThrow();
  });

  it('refuses a port written as text', () => {
    expect(() =>
      checkSchema(deployment({ name: 'c', image: 'i', ports: [{ containerPort: '8000' }] })),
    ).toThrow('containers/0/ports/0/containerPort must be integer');
  });

  it('refuses a container without a name', () => {
    expect(() => checkSchema(deployment({ image: 'i' }))).toThrow(
      'containers/0 must have required property name',
    );
  });

  it('refuses a ConfigMap value that is not text (an unquoted number in YAML)', () => {
    expect(() =>
      checkSchema({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { port: 9464 } }),
    ).toThrow('data/data/port must be string');
  });

  it('refuses a kind it has no schema for', () => {
    expect(() => checkSchema({ apiVersion: 'v1', kind: 'Pod' })).toThrow('no schema for v1/Pod');
  });
});

describe('the wiring checks', () => {
  /** The gateway as shipped, to break one thing at a time. */
  const gateway = () =>
    structuredClone(
      byId.find(([id]) => id === 'Deployment/tributary-gateway/tributary')?.[1] as TributaryContainer,
    );

  it('see a probe on another port than the health_check one', () => {
    const t = gateway();
    (t.container.readinessProbe?.httpGet as { port: string }).port = 'metrics';
    expect(probeProblems(t)).toEqual([
      'Deployment/tributary-gateway/tributary: readinessProbe probes port metrics (9464), health_check listens on 13133',
    ]);
  });

  it('see a probe asking a path health_check does not answer', () => {
    const t = gateway();
    (t.container.livenessProbe?.httpGet as { path: string }).path = '/healthz';
    expect(probeProblems(t)).toEqual([
      'Deployment/tributary-gateway/tributary: livenessProbe asks /healthz, health_check answers it on /health',
    ]);
  });

  it('see an endpoint left on loopback, or on a port the container does not declare', () => {
    const t = gateway();
    t.config.extensions = { health_check: {} };
    t.config.exporters = {
      prometheus: { endpoint: '127.0.0.1:9464' },
      'prometheus/2': { endpoint: '0.0.0.0:9465' },
    };
    expect(listenerProblems(t)).toEqual([
      'Deployment/tributary-gateway/tributary: extensions.health_check has no endpoint, so it listens on 127.0.0.1, out of reach from outside the pod',
      'Deployment/tributary-gateway/tributary: exporters.prometheus listens on 127.0.0.1, not 0.0.0.0: out of reach from outside the pod',
      "Deployment/tributary-gateway/tributary: exporters.prometheus/2 listens on port 9465, which is not one of the container's ports",
    ]);
  });
});
