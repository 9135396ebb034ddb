import { parseGoFloat } from '../../promql/functions/go-float.js';
import { formatG } from './go-format.js';
import type { GoValue } from './types.js';

const BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const BINARY = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

/** prometheus/common's ConvertToFloat: floats, ints and numeric strings. */
export function toFloat(value: GoValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const v = parseGoFloat(value);
    if (v === undefined)
      throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax`);
    return v;
  }
  throw new Error(`can't convert ${value === null ? '<nil>' : typeof value} to float`);
}

const g4 = (v: number) => formatG(v, 4);

/** 1234567 -> `1.235M`, 0.12 -> `120m`. */
export function humanize(value: GoValue): string {
  let v = toFloat(value);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of BIG) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of SMALL) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${g4(v)}${prefix}`;
}

/** 1048576 -> `1Mi`. */
export function humanize1024(value: GoValue): string {
  let v = toFloat(value);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of BINARY) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${g4(v)}${prefix}`;
}

/** Seconds as `1d 2h 3m 4s`, `12.35s`, `123.5ms`. */
export function humanizeDuration(value: GoValue): string {
  let v = toFloat(value);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const whole = Math.trunc(v);
    const seconds = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86_400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/** 0.1234 -> `12.34%`. */
export function humanizePercentage(value: GoValue): string {
  return `${g4(toFloat(value) * 100)}%`;
}

/** Seconds since the epoch as Go prints a UTC time: `2015-06-23 13:19:44.128 +0000 UTC` (ms precision). */
export function humanizeTimestamp(value: GoValue): string {
  const v = toFloat(value);
  if (!Number.isFinite(v)) return g4(v);
  const ns = v * 1e9;
  if (ns > 9.223372036854776e18 || ns < -9.223372036854776e18)
    throw new Error(
      `${formatG(v)} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  const ms = Math.trunc(ns / 1e6);
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}
