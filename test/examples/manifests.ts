// Reads Kubernetes manifests and checks them as the API server would (kubernetes-models' schemas),
// then checks what a schema cannot: that each Tributary container's config, ports and probes agree.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    /** A Service's labels, or a workload's `{ matchLabels }`. */
    selector?: Record<string, unknown>;
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
  };
}
export interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; hostPath?: { path: string } }[];
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}

/** One manifest and the file it came from. */
export interface Located {
  file: string;
  manifest: Manifest;
}

/** Every document of every .yaml file in `dir`, as `kubectl apply -f dir` reads them. */
export function loadManifests(dir: string): Located[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}`);
        return { file, manifest: doc.toJS() as Manifest };
      }),
    );
}

const require = createRequire(import.meta.url);

/** The model of each kind the examples use, by apiVersion/kind; any other kind is refused. */
const MODELS: Record<string, string> = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'apps/v1/DaemonSet': 'kubernetes-models/apps/v1/DaemonSet',
};

type Model = new (data: unknown) => { validate(): void };

/** Throws what the Kubernetes schema of the manifest's kind finds wrong (types, required fields). */
export function checkSchema(manifest: object): void {
  const { apiVersion, kind } = manifest as { apiVersion?: unknown; kind?: unknown };
  const key = `${apiVersion}/${kind}`;
  const module = MODELS[key];
  if (!module) throw new Error(`no schema for ${key}: expected one of ${Object.keys(MODELS).join(', ')}`);
  const model = (require(module) as Record<string, Model>)[kind as string] as Model;
  new model(manifest).validate();
}

/** A container that runs Tributary, with its pod and the config it is given. */
export interface TributaryContainer {
  /** `Kind/name/container`, for test names. */
  id: string;
  workload: Manifest;
  pod: PodSpec;
  container: Container;
  /** The text of the file `--config` names, from the ConfigMap mounted there. */
  configText: string;
  config: TributaryConfig;
}

export interface TributaryConfig {
  extensions?: Record<string, { endpoint?: string } | null>;
  receivers?: Record<string, Record<string, unknown> | null>;
  exporters?: Record<string, { endpoint?: string } | null>;
}

/** The containers running the `tributary` image, each with the config its `--config` points at. */
export function tributaryContainers(manifests: readonly Manifest[]): TributaryContainer[] {
  return manifests.flatMap((workload) => {
    const pod = workload.spec?.template?.spec;
    if (!pod) return [];
    return pod.containers
      .filter((c) => c.image.split(':')[0] === 'tributary')
      .map((container) => {
        const id = `${workload.kind}/${workload.metadata.name}/${container.name}`;
        const configText = mountedFile(manifests, pod, container, argAfter(container, '--config', id), id);
        return { id, workload, pod, container, configText, config: parse(configText) as TributaryConfig };
      });
  });
}

/** The value after `flag` in the container's args. */
export function argAfter(container: Container, flag: string, id: string): string {
  const args = container.args ?? [];
  const value = args[args.indexOf(flag) + 1];
  if (!args.includes(flag) || value === undefined) throw new Error(`${id}: no ${flag} in args`);
  return value;
}

/** The text of `path` in the container, from the ConfigMap mounted on its folder. */
function mountedFile(
  manifests: readonly Manifest[],
  pod: PodSpec,
  container: Container,
  path: string,
  id: string,
) {
  const mount = container.volumeMounts?.find((m) => m.mountPath === dirname(path));
  const volume = pod.volumes?.find((v) => v.name === mount?.name);
  const configMap = manifests.find(
    (m) => m.kind === 'ConfigMap' && m.metadata.name === volume?.configMap?.name,
  );
  const text = configMap?.data?.[basename(path)];
  if (text === undefined) throw new Error(`${id}: no ConfigMap mounted holds ${path}`);
  return text;
}

/** The port number a probe or Service names, by number or by the container port's name. */
export function portNumber(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** `host:port` as the config writes it. */
export function hostPort(endpoint: string): { host: string; port: number } {
  const colon = endpoint.lastIndexOf(':');
  // No host means 127.0.0.1, as Tributary reads it.
  return { host: endpoint.slice(0, colon) || '127.0.0.1', port: Number(endpoint.slice(colon + 1)) };
}

/** Components of `type` (ids `type` or `type/name`) in a section of the config. */
export function componentsOf<T>(section: Record<string, T | null> | undefined, type: string): [string, T][] {
  return Object.entries(section ?? {})
    .filter(([id]) => id.split('/')[0] === type)
    .map(([id, config]) => [id, (config ?? {}) as T]);
}

/** Where the container listens: health_check, prometheus exporters, otlp receivers, mcp-proxy --listen. */
export function listeners({
  id,
  config,
  container,
}: TributaryContainer): { what: string; endpoint?: string }[] {
  const otlp = componentsOf(config.receivers, 'otlp').flatMap(([name, c]) =>
    Object.entries((c.protocols ?? {}) as Record<string, { endpoint?: string }>).map(([protocol, p]) => ({
      what: `receivers.${name}.protocols.${protocol}`,
      endpoint: p?.endpoint,
    })),
  );
  const proxy =
    container.args?.[0] === 'mcp-proxy'
      ? [{ what: '--listen', endpoint: argAfter(container, '--listen', id) }]
      : [];
  return [
    ...componentsOf(config.extensions, 'health_check').map(([name, c]) => ({
      what: `extensions.${name}`,
      endpoint: c.endpoint,
    })),
    ...componentsOf(config.exporters, 'prometheus').map(([name, c]) => ({
      what: `exporters.${name}`,
      endpoint: c.endpoint,
    })),
    ...otlp,
    ...proxy,
  ];
}

/**
 * What keeps the kubelet, Prometheus or a Service from reaching what the config listens on: an
 * endpoint left on its loopback default, or on a port the container does not declare.
 */
export function listenerProblems(t: TributaryContainer): string[] {
  return listeners(t).flatMap(({ what, endpoint }) => {
    if (!endpoint)
      return [
        `${t.id}: ${what} has no endpoint, so it listens on 127.0.0.1, out of reach from outside the pod`,
      ];
    const { host, port } = hostPort(endpoint);
    return [
      ...(host === '0.0.0.0'
        ? []
        : [`${t.id}: ${what} listens on ${host}, not 0.0.0.0: out of reach from outside the pod`]),
      ...(t.container.ports?.some((p) => p.containerPort === port)
        ? []
        : [`${t.id}: ${what} listens on port ${port}, which is not one of the container's ports`]),
    ];
  });
}

/** The probes must be GET /health (liveness) and GET /ready (readiness) on the health_check's port. */
export function probeProblems(t: TributaryContainer): string[] {
  const health = componentsOf(t.config.extensions, 'health_check')[0]?.[1].endpoint;
  if (!health) return [`${t.id}: its config has no health_check extension with an endpoint for the probes`];
  const { port } = hostPort(health);
  const expected = { livenessProbe: '/health', readinessProbe: '/ready' } as const;
  return Object.entries(expected).flatMap(([probe, path]) => {
    const get = t.container[probe as keyof typeof expected]?.httpGet;
    if (!get) return [`${t.id}: no ${probe} with httpGet`];
    const problems: string[] = [];
    if (get.path !== path)
      problems.push(`${t.id}: ${probe} asks ${get.path}, health_check answers it on ${path}`);
    const probed = portNumber(t.container, get.port);
    const named = typeof get.port === 'string' ? ` (${probed ?? 'no such container port'})` : '';
    if (probed !== port)
      problems.push(`${t.id}: ${probe} probes port ${get.port}${named}, health_check listens on ${port}`);
    return problems;
  });
}
