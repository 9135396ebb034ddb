// Parsers for the /proc files the scrapers read: plain text in, numbers out, no I/O (so fixtures test them).

/** Linux reports /proc/stat times in USER_HZ ticks, 100 a second on every architecture it runs on. */
export const USER_HZ = 100;
/** /proc/diskstats counts 512-byte sectors whatever the device's own sector size. */
export const SECTOR_BYTES = 512;

/** One logical CPU's line of /proc/stat, in seconds. */
export interface CpuTimes {
  cpu: number;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** The `cpuN` lines of /proc/stat (not the `cpu` total). */
export function parseStat(text: string): CpuTimes[] {
  const cpus: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields(m[2] as string, 8).map(
      (ticks) => ticks / USER_HZ,
    ) as number[];
    cpus.push({ cpu: Number(m[1]), user, nice, system, idle, iowait, irq, softirq, steal } as CpuTimes);
  }
  return cpus;
}

/** /proc/meminfo as bytes by key (`MemTotal`, `MemAvailable`...); kB values are multiplied by 1024. */
export function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m) values.set(m[1] as string, Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return values;
}

export interface DiskStats {
  device: string;
  reads: number;
  readsMerged: number;
  readBytes: number;
  readSeconds: number;
  writes: number;
  writesMerged: number;
  writtenBytes: number;
  writeSeconds: number;
  ioSeconds: number;
}

/** /proc/diskstats: one entry per device, bytes and seconds. */
export function parseDiskstats(text: string): DiskStats[] {
  const disks: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 14) continue;
    const [
      reads,
      readsMerged,
      sectorsRead,
      msReading,
      writes,
      writesMerged,
      sectorsWritten,
      msWriting,
      ,
      msIo,
    ] = parts.slice(3, 13).map(Number) as number[];
    disks.push({
      device: parts[2] as string,
      reads: reads as number,
      readsMerged: readsMerged as number,
      readBytes: (sectorsRead as number) * SECTOR_BYTES,
      readSeconds: (msReading as number) / 1000,
      writes: writes as number,
      writesMerged: writesMerged as number,
      writtenBytes: (sectorsWritten as number) * SECTOR_BYTES,
      writeSeconds: (msWriting as number) / 1000,
      ioSeconds: (msIo as number) / 1000,
    });
  }
  return disks;
}

/** One direction of an interface's counters in /proc/net/dev. */
export interface InterfaceCounters {
  bytes: number;
  packets: number;
  errors: number;
  dropped: number;
}

export interface InterfaceStats {
  name: string;
  receive: InterfaceCounters;
  transmit: InterfaceCounters;
}

/** /proc/net/dev: received and transmitted bytes, packets, errors and drops per interface. */
export function parseNetDev(text: string): InterfaceStats[] {
  const interfaces: InterfaceStats[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const v = fields(line.slice(colon + 1), 16);
    if (v.length < 16) continue;
    interfaces.push({
      name: line.slice(0, colon).trim(),
      receive: {
        bytes: v[0] as number,
        packets: v[1] as number,
        errors: v[2] as number,
        dropped: v[3] as number,
      },
      transmit: {
        bytes: v[8] as number,
        packets: v[9] as number,
        errors: v[10] as number,
        dropped: v[11] as number,
      },
    });
  }
  return interfaces;
}

/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [number, number, number] {
  const [m1, m5, m15] = text.trim().split(/\s+/).map(Number);
  return [m1 as number, m5 as number, m15 as number];
}

export interface Mount {
  device: string;
  mountpoint: string;
  type: string;
  /** `rw` or `ro`. */
  mode: string;
}

/** /proc/<pid>/mounts; octal escapes (`\040` for a space) are decoded. */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const [device, mountpoint, type, options] = line.split(' ');
    if (!device || !mountpoint || !type || !options) continue;
    const mode = options.split(',').includes('ro') ? 'ro' : 'rw';
    mounts.push({ device: decodeOctal(device), mountpoint: decodeOctal(mountpoint), type, mode });
  }
  return mounts;
}

/** The filesystem types /proc/filesystems marks `nodev`: pseudo filesystems backed by no device. */
export function parseVirtualTypes(text: string): Set<string> {
  const types = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^nodev\s+(\S+)/.exec(line);
    if (m) types.add(m[1] as string);
  }
  return types;
}

/** The first `count` whitespace-separated numbers of `text`. */
function fields(text: string, count: number): number[] {
  return text.trim().split(/\s+/).slice(0, count).map(Number);
}

const decodeOctal = (text: string) =>
  text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/** What /proc/self/stat says of a process: its threads and virtual memory size in bytes. */
export function parseProcessStat(text: string): { threads: number; virtualBytes: number } {
  // The command name in parentheses may hold spaces; the fields after it are numbers.
  const after = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { threads: Number(after[17]), virtualBytes: Number(after[20]) };
}
