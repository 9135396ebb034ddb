import { ValueType } from '@opentelemetry/api';
import { type CpuTimes, parseStat } from '../procfs.js';
import { counter, gauge, readProc, type Scraper } from '../scrape.js';

/** A CPU's seconds by `cpu.mode`: the seven modes the semantic conventions name (interrupt = irq + softirq). */
function modes(t: CpuTimes): [string, number][] {
  return [
    ['user', t.user],
    ['nice', t.nice],
    ['system', t.system],
    ['idle', t.idle],
    ['iowait', t.iowait],
    ['interrupt', t.irq + t.softirq],
    ['steal', t.steal],
  ];
}

/** Utilization is measured over at least this much CPU time per CPU: one 10 ms tick would read as 0 or 1. */
const MIN_WINDOW_SECONDS = 1;

const TIME = counter(
  'system.cpu.time',
  's',
  'Seconds each logical CPU spent on each mode.',
  ValueType.DOUBLE,
);
const UTILIZATION = gauge(
  'system.cpu.utilization',
  '1',
  "Each logical CPU's share of time in each mode since the last measurement.",
);

/** `system.cpu.time` and `system.cpu.utilization` per logical CPU and mode, from /proc/stat. */
export function cpuScraper(root: string): Scraper {
  /** Per CPU (bounded by the host's CPUs): the times utilization is measured from, and the last one measured. */
  const windows = new Map<number, { from: [string, number][]; last?: [string, number][] }>();
  return {
    name: 'cpu',
    async scrape(result) {
      for (const cpu of parseStat(await readProc(root, 'stat'))) {
        const now = modes(cpu);
        for (const [mode, seconds] of now) result.observe(TIME, seconds, attributes(cpu.cpu, mode));
        const window = windows.get(cpu.cpu);
        if (!window) {
          windows.set(cpu.cpu, { from: now });
          continue;
        }
        const deltas = now.map(
          ([mode, seconds], i) => [mode, seconds - (window.from[i]?.[1] ?? 0)] as [string, number],
        );
        const elapsed = deltas.reduce((sum, [, d]) => sum + d, 0);
        if (elapsed >= MIN_WINDOW_SECONDS) {
          window.last = deltas.map(([mode, d]) => [mode, d / elapsed]);
          window.from = now;
        }
        for (const [mode, share] of window.last ?? [])
          result.observe(UTILIZATION, share, attributes(cpu.cpu, mode));
      }
    },
  };
}

const attributes = (cpu: number, mode: string) => ({ 'cpu.logical_number': cpu, 'cpu.mode': mode });
