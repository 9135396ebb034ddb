import { createHash } from 'node:crypto';
import { isPlainObject, isSecretKey } from '../../../core/config/redact.js';
import type { RedactionConfig } from './config.js';
import { BUILTIN_PATTERNS, type ValuePattern } from './patterns.js';

export const MASK = '****';

/** What one pass changed: values masked (whole or in part) and keys deleted by the allowlist. */
export interface RedactionCount {
  masked: number;
  deleted: number;
}

type Attributes = Record<string, unknown>;

/** Masks secrets in attributes and log bodies in place; built once per processor from its config. */
export class Redactor {
  private readonly allowed: Set<string> | undefined;
  private readonly ignored: Set<string>;
  private readonly keyPatterns: RegExp[];
  private readonly valuePatterns: ValuePattern[];
  private readonly mask: (secret: string) => string;
  private readonly maskSecretKeys: boolean;

  constructor(config: RedactionConfig) {
    this.allowed = config.allow_all_keys ? undefined : new Set(config.allowed_keys);
    this.ignored = new Set(config.ignored_keys);
    this.maskSecretKeys = config.mask_secret_keys;
    this.keyPatterns = config.blocked_key_patterns.map((p) => new RegExp(p, 'i'));
    this.valuePatterns = [
      ...config.value_patterns.flatMap((name) => BUILTIN_PATTERNS[name]),
      ...config.blocked_values.map((p) => ({ regex: new RegExp(p, 'g') })),
    ];
    const hash = config.hash_function;
    this.mask = hash === 'none' ? () => MASK : (secret) => createHash(hash).update(secret).digest('hex');
  }

  /** Masks (and with an allowlist, deletes) the attributes of one span, event, link, record or point. */
  attributes(attributes: Attributes | undefined, count: RedactionCount): void {
    if (!attributes) return;
    for (const key of Object.keys(attributes)) {
      if (this.ignored.has(key)) continue;
      if (this.allowed && !this.allowed.has(key)) {
        delete attributes[key];
        count.deleted++;
        continue;
      }
      attributes[key] = this.value(key, attributes[key], count);
    }
  }

  /** A value with its secrets masked: under a secret key all of its text, elsewhere what the value patterns find. */
  value(key: string | undefined, value: unknown, count: RedactionCount): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && this.isBlockedKey(key)) {
        count.masked++;
        return this.mask(value);
      }
      return this.text(value, count);
    }
    if (Array.isArray(value)) return value.map((v) => this.value(key, v, count));
    if (isPlainObject(value)) {
      for (const k of Object.keys(value)) if (!this.ignored.has(k)) value[k] = this.value(k, value[k], count);
    }
    // Numbers and booleans stay: a count under a key like `input_tokens` is not a credential.
    return value;
  }

  private isBlockedKey(key: string): boolean {
    return (this.maskSecretKeys && isSecretKey(key)) || this.keyPatterns.some((p) => p.test(key));
  }

  private text(text: string, count: RedactionCount): string {
    let out = text;
    for (const { regex, accept } of this.valuePatterns) {
      out = out.replace(regex, (match: string, ...rest: unknown[]) => {
        if (accept && !accept(match)) return match;
        count.masked++;
        const groups = rest.at(-1) as Record<string, string | undefined> | undefined;
        const secret = typeof groups === 'object' ? groups?.s : undefined;
        if (secret === undefined) return this.mask(match);
        const at = match.lastIndexOf(secret);
        return match.slice(0, at) + this.mask(secret) + match.slice(at + secret.length);
      });
    }
    return out;
  }
}
