import { z } from 'zod';
import { endpoint } from '../../../core/config/units.js';
import { serverSecurity } from '../../../core/http/security.js';

export const AdminConfig = z.strictObject({
  endpoint: endpoint('127.0.0.1:55679').describe(
    'host:port the status page listens on; 127.0.0.1 unless a host is given (it shows the pipeline to anyone who can reach it)',
  ),
  ...serverSecurity(),
});

export type AdminConfig = z.output<typeof AdminConfig>;
