import { z } from 'zod';
import { VALUE_PATTERN_NAMES } from './patterns.js';

const regex = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a JavaScript regular expression, e.g. "^x-internal-.*" or "\\\\d{6}"' },
);

export const RedactionConfig = z.strictObject({
  allow_all_keys: z
    .boolean()
    .default(true)
    .describe('keep every attribute; false keeps only allowed_keys (and ignored_keys) and deletes the rest'),
  allowed_keys: z
    .array(z.string())
    .default([])
    .describe('the attribute keys kept when allow_all_keys is false'),
  ignored_keys: z.array(z.string()).default([]).describe('attribute keys never masked nor deleted'),
  mask_secret_keys: z
    .boolean()
    .default(true)
    .describe(
      "mask the whole value of keys that name a credential (password, token, secret, api_key, authorization, credential, private_key, cookie): the engine's own redaction rule",
    ),
  blocked_key_patterns: z
    .array(regex)
    .default([])
    .describe('more key patterns (regular expressions, case-insensitive) whose whole value is masked'),
  value_patterns: z
    .array(z.enum(VALUE_PATTERN_NAMES))
    .default([...VALUE_PATTERN_NAMES])
    .describe('built-in patterns masked inside any string value'),
  blocked_values: z
    .array(regex)
    .default([])
    .describe('more value patterns (regular expressions) masked inside any string value'),
  hash_function: z
    .enum(['none', 'sha256', 'sha512', 'sha1', 'md5'])
    .default('none')
    .describe(
      'none: a masked value becomes "****"; else the hex digest of it, so equal values stay correlatable',
    ),
});
export type RedactionConfig = z.output<typeof RedactionConfig>;
