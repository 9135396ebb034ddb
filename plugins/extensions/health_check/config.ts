import { z } from 'zod';
import { endpoint } from '../../../core/config/units.js';

export const HealthCheckConfig = z.strictObject({
  endpoint: endpoint('127.0.0.1:13133').describe(
    'host:port /health and /ready listen on; 127.0.0.1 unless a host is given (0.0.0.0 for Kubernetes probes)',
  ),
});

export type HealthCheckConfig = z.output<typeof HealthCheckConfig>;
