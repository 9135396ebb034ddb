import { createHash } from 'node:crypto';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { z } from 'zod';
import { isRegExp } from './match.js';

/** One action on attributes, as the Collector's `attributes` and `resource` processors take it. */
export const AttributeAction = z
  .strictObject({
    key: z.string().min(1).optional().describe('the attribute acted on'),
    action: z.enum(['insert', 'update', 'upsert', 'delete', 'hash', 'extract']),
    value: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe('insert/update/upsert: the value to set'),
    from_attribute: z
      .string()
      .min(1)
      .optional()
      .describe('insert/update/upsert: take the value of this attribute'),
    pattern: z
      .string()
      .optional()
      .describe(
        'extract: a regular expression whose named groups become attributes; delete/hash: the keys it matches',
      ),
  })
  .superRefine((a, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (a.pattern !== undefined && !isRegExp(a.pattern))
      issue('pattern', `"${a.pattern}" is not a valid regular expression`);
    if (['insert', 'update', 'upsert'].includes(a.action)) {
      if (!a.key) issue('key', `action ${a.action} needs a key`);
      if ((a.value === undefined) === (a.from_attribute === undefined))
        issue('value', `action ${a.action} needs exactly one of value or from_attribute`);
    } else if (a.action === 'extract') {
      if (!a.key) issue('key', 'action extract needs the key of the attribute to read');
      if (a.pattern === undefined)
        issue('pattern', 'action extract needs a pattern with named groups: (?<name>...)');
      else if (isRegExp(a.pattern) && !/\(\?<[A-Za-z_]/.test(a.pattern))
        issue('pattern', 'the extract pattern has no named group: (?<name>...) names the attribute it sets');
    } else if (!a.key === (a.pattern === undefined)) {
      issue('key', `action ${a.action} needs exactly one of key or pattern`);
    }
  });
export type AttributeAction = z.output<typeof AttributeAction>;

/** SHA-256 in hex of the value's text, as the Collector's hash action. */
const hash = (value: AttributeValue) => createHash('sha256').update(String(value)).digest('hex');

/** The actions, compiled once: `apply` returns new attributes and leaves its argument unchanged. */
export function attributeActions(
  actions: readonly AttributeAction[],
): (attributes: Attributes) => Attributes {
  const steps = actions.map((a) => {
    const re = a.pattern === undefined ? undefined : new RegExp(a.pattern);
    const keys = (attrs: Attributes) => (a.key ? [a.key] : Object.keys(attrs).filter((k) => re?.test(k)));
    return (attrs: Attributes) => {
      const present = a.key !== undefined && attrs[a.key] !== undefined;
      switch (a.action) {
        case 'insert':
        case 'update':
        case 'upsert': {
          if ((a.action === 'insert' && present) || (a.action === 'update' && !present)) return;
          const value = a.from_attribute === undefined ? a.value : attrs[a.from_attribute];
          if (value !== undefined) attrs[a.key as string] = value;
          return;
        }
        case 'delete':
          for (const k of keys(attrs)) delete attrs[k];
          return;
        case 'hash':
          for (const k of keys(attrs)) if (attrs[k] !== undefined) attrs[k] = hash(attrs[k]);
          return;
        case 'extract': {
          const source = attrs[a.key as string];
          if (typeof source !== 'string') return;
          const groups = re?.exec(source)?.groups;
          for (const [name, value] of Object.entries(groups ?? {}))
            if (value !== undefined) attrs[name] = value;
        }
      }
    };
  });
  return (attributes) => {
    const copy = { ...attributes };
    for (const step of steps) step(copy);
    return copy;
  };
}
