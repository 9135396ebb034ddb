import { SECRET_KEY_SOURCE } from '../../../core/config/redact.js';

/** The built-in value patterns, by the name users list in `value_patterns`. */
export const VALUE_PATTERN_NAMES = ['bearer', 'api_key', 'key_value', 'email', 'card_number'] as const;
export type ValuePatternName = (typeof VALUE_PATTERN_NAMES)[number];

/**
 * A pattern found inside a string. The part masked is the named group `s` when the pattern has one
 * (the token after "Bearer ", the value after "api_key="), else the whole match.
 */
export interface ValuePattern {
  regex: RegExp;
  /** A second check on a match (the Luhn checksum of a card number); false leaves it alone. */
  accept?: (match: string) => boolean;
}

// From the credential word on (the mask needs no more), bounded: a long word must not scan quadratically.
const KEY = `(?:${SECRET_KEY_SOURCE})[\\w.-]{0,64}`;
const UNQUOTED_END = `\\s"',;&}\\]`;

export const BUILTIN_PATTERNS: Record<ValuePatternName, ValuePattern[]> = {
  bearer: [{ regex: /\b(?:Bearer|Basic)\s+(?<s>[A-Za-z0-9\-._~+/]+=*)/gi }],
  api_key: [
    {
      // OpenAI/Anthropic sk-..., AWS access key ids, GitHub, Slack and Google API keys.
      regex:
        /\b(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})/g,
    },
  ],
  key_value: [
    // "api_key": "v" in JSON, api_key='v'
    { regex: new RegExp(`${KEY}["']?\\s*[:=]\\s*"(?<s>(?:[^"\\\\]|\\\\.)+)"`, 'gi') },
    { regex: new RegExp(`${KEY}["']?\\s*[:=]\\s*'(?<s>[^']+)'`, 'gi') },
    // password=v in a query string or a log line. A bare number (max_tokens=100) is a count, not a
    // secret; "Authorization: Bearer x" is left to the bearer pattern, which masks x.
    {
      regex: new RegExp(
        `${KEY}\\s*[:=]\\s*(?!(?:Bearer|Basic)\\s)(?<s>(?=[^${UNQUOTED_END}]*[^\\d${UNQUOTED_END}])[^${UNQUOTED_END}]+)`,
        'gi',
      ),
    },
  ],
  // RFC 5321's lengths bound the scan, which an unbounded local part makes quadratic on "a.a.a...".
  email: [{ regex: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}\b/g }],
  card_number: [{ regex: /\b\d(?:[ -]?\d){12,18}\b/g, accept: passesLuhn }],
};

/** The Luhn checksum every payment card number passes and most other 13-19 digit numbers fail. */
export function passesLuhn(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
