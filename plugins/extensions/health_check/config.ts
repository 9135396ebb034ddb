import { z } from 'zod';
import { endpoint } from '../../../core/config/units.js';
import { serverSecurity } from '../../../core/http/security.js';

export const HealthCheckConfig = z.strictObject({
  endpoint: endpoint('127.0.0.1:13133').describe(
    'host:port /health and /ready listen on; 127.0.0.1 unless a host is given (0.0.0.0 for Kubernetes probes)',
  ),
  check_exporters: z
    .boolean()
    .default(true)
    .describe(
      'whether an exporter whose sends fail makes /ready 503; false keeps a pod serving while its backend is down (its startup still counts)',
    ),
  version: z
    .string()
    .min(1)
    .optional()
    .describe("the version /health reports, e.g. your service's; Tributary's own version when unset"),
  ...serverSecurity(),
});

export type HealthCheckConfig = z.output<typeof HealthCheckConfig>;
