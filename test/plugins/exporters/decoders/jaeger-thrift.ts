import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/*
 * A Jaeger Thrift decoder that shares nothing with the exporter: Apache Thrift's own
 * TBinaryProtocol (the `thrift` package) reads the bytes, and the field ids, types and names come
 * from Jaeger's IDL (jaeger.thrift, agent.thrift) as it is written, parsed here. A field the IDL
 * does not have, a wire type other than the IDL's, a missing required field or a trailing byte is
 * an error.
 */

const require = createRequire(import.meta.url);

interface Int64 {
  buffer: Buffer;
  offset?: number;
}
interface TTransport {
  readPos: number;
  inBuf: Buffer;
}
interface TProtocol {
  readMessageBegin(): { fname: string; mtype: number; rseqid: number };
  readFieldBegin(): { ftype: number; fid: number };
  readListBegin(): { etype: number; size: number };
  readBool(): boolean;
  readI32(): number;
  readI64(): Int64;
  readDouble(): number;
  readString(): string;
  readBinary(): Buffer;
}
interface ThriftModule {
  Thrift: { Type: Record<string, number>; MessageType: Record<string, number> };
  TFramedTransport: new (buffer: Buffer) => TTransport;
  TBinaryProtocol: new (transport: TTransport) => TProtocol;
  toBigInt(value: Int64): bigint;
}
const thrift = require('thrift') as ThriftModule;
const { Type, MessageType } = thrift.Thrift;

// ---- the IDL ----

interface IdlField {
  id: number;
  name: string;
  type: string;
  required: boolean;
}
interface Idl {
  enums: Map<string, string[]>;
  structs: Map<string, Map<number, IdlField>>;
  /** `Service.method` to its arguments (a struct) and whether it is oneway. */
  methods: Map<string, { oneway: boolean; args: Map<number, IdlField> }>;
}

const IDL_DIR = join(dirname(require.resolve('jaeger-client/package.json')), 'dist/src/jaeger-idl/thrift');

function fieldsOf(body: string): Map<number, IdlField> {
  const fields = new Map<number, IdlField>();
  for (const m of body.matchAll(/(\d+)\s*:\s*(required\s+|optional\s+)?([\w.]+(?:<[\w.]+>)?)\s+(\w+)/g)) {
    const [, id, requirement, type, name] = m as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
    ];
    fields.set(Number(id), {
      id: Number(id),
      name,
      type: type.replace(/^\w+\./, ''),
      required: !!requirement?.startsWith('required'),
    });
  }
  return fields;
}

/** Reads the enums, structs and service methods of Thrift IDL files (the subset Jaeger's use). */
export function parseIdl(...files: string[]): Idl {
  const idl: Idl = { enums: new Map(), structs: new Map(), methods: new Map() };
  for (const file of files) {
    const text = readFileSync(join(IDL_DIR, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(#|\/\/).*$/gm, '');
    for (const [, kind, name, body] of text.matchAll(
      /\b(enum|struct|service)\s+(\w+)\s*\{([^}]*)\}/g,
    ) as Iterable<[string, string, string, string]>) {
      if (kind === 'enum')
        idl.enums.set(
          name,
          body
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
      else if (kind === 'struct') idl.structs.set(name, fieldsOf(body));
      else {
        for (const [, oneway, method, args] of body.matchAll(
          /(oneway\s+)?[\w.<>]+\s+(\w+)\s*\(([^)]*)\)/g,
        ) as Iterable<[string, string | undefined, string, string]>) {
          idl.methods.set(`${name}.${method}`, { oneway: !!oneway, args: fieldsOf(args) });
        }
      }
    }
  }
  return idl;
}

let loaded: Idl | undefined;
const jaegerIdl = () => {
  loaded ??= parseIdl('jaeger.thrift', 'agent.thrift');
  return loaded;
};

// ---- reading ----

const BASE_TYPES: Record<string, number> = {
  bool: Type.BOOL as number,
  i32: Type.I32 as number,
  i64: Type.I64 as number,
  double: Type.DOUBLE as number,
  string: Type.STRING as number,
  binary: Type.STRING as number,
};

function wireTypeOf(idl: Idl, type: string): number {
  if (type in BASE_TYPES) return BASE_TYPES[type] as number;
  if (type.startsWith('list<')) return Type.LIST as number;
  if (idl.enums.has(type)) return Type.I32 as number;
  if (idl.structs.has(type)) return Type.STRUCT as number;
  throw new Error(`the IDL has no type ${type}`);
}

function readValue(idl: Idl, protocol: TProtocol, type: string, wire: number, path: string): unknown {
  const expected = wireTypeOf(idl, type);
  if (wire !== expected) throw new Error(`${path}: wire type ${wire}, the IDL says ${type} (${expected})`);
  switch (type) {
    case 'bool':
      return protocol.readBool();
    case 'i32':
      return protocol.readI32();
    case 'i64':
      return thrift.toBigInt(protocol.readI64());
    case 'double':
      return protocol.readDouble();
    case 'string':
      return protocol.readString();
    case 'binary':
      return protocol.readBinary();
  }
  const element = /^list<(.+)>$/.exec(type)?.[1];
  if (element) {
    const { etype, size } = protocol.readListBegin();
    return Array.from({ length: size }, (_, i) => readValue(idl, protocol, element, etype, `${path}[${i}]`));
  }
  const names = idl.enums.get(type);
  if (names) {
    const n = protocol.readI32();
    const name = names[n];
    if (name === undefined) throw new Error(`${path}: ${n} is not a ${type}`);
    return name;
  }
  return readStruct(idl, protocol, idl.structs.get(type) as Map<number, IdlField>, `${path}(${type})`);
}

function readStruct(idl: Idl, protocol: TProtocol, fields: Map<number, IdlField>, path: string) {
  const out: Record<string, unknown> = {};
  for (let f = protocol.readFieldBegin(); f.ftype !== Type.STOP; f = protocol.readFieldBegin()) {
    const field = fields.get(f.fid);
    if (!field) throw new Error(`${path}: field id ${f.fid} is not in the IDL`);
    out[field.name] = readValue(idl, protocol, field.type, f.ftype, `${path}.${field.name}`);
  }
  for (const field of fields.values()) {
    if (field.required && !(field.name in out))
      throw new Error(`${path}: required field ${field.name} missing`);
  }
  return out;
}

function reader(bytes: Buffer): { protocol: TProtocol; end(): void } {
  const transport = new thrift.TFramedTransport(bytes);
  return {
    protocol: new thrift.TBinaryProtocol(transport),
    end: () => {
      if (transport.readPos !== bytes.length) {
        throw new Error(`${bytes.length - transport.readPos} bytes left after the message`);
      }
    },
  };
}

// ---- plain shapes ----

export interface JaegerSpan {
  /** 32 hex digits, as OpenTelemetry writes trace ids. */
  traceId: string;
  spanId: string;
  /** `0000000000000000` for a root span. */
  parentSpanId: string;
  operationName: string;
  references: { refType: string; traceId: string; spanId: string }[];
  flags: number;
  /** Microseconds since the epoch. */
  startTime: bigint;
  duration: bigint;
  tags: Record<string, unknown>;
  logs: { timestamp: bigint; fields: Record<string, unknown> }[];
}
export interface JaegerBatch {
  process: { serviceName: string; tags: Record<string, unknown> };
  spans: JaegerSpan[];
}

const hex64 = (value: unknown) =>
  BigInt.asUintN(64, value as bigint)
    .toString(16)
    .padStart(16, '0');

function tagsOf(list: unknown): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  for (const tag of (list as Record<string, unknown>[] | undefined) ?? []) {
    const key = tag.key as string;
    switch (tag.vType) {
      case 'STRING':
        tags[key] = tag.vStr;
        break;
      case 'DOUBLE':
        tags[key] = tag.vDouble;
        break;
      case 'BOOL':
        tags[key] = tag.vBool;
        break;
      case 'LONG':
        tags[key] = Number(tag.vLong);
        break;
      default:
        tags[key] = tag.vBinary;
    }
  }
  return tags;
}

function batchOf(raw: Record<string, unknown>): JaegerBatch {
  const process = raw.process as Record<string, unknown>;
  return {
    process: { serviceName: process.serviceName as string, tags: tagsOf(process.tags) },
    spans: (raw.spans as Record<string, unknown>[]).map((s) => ({
      traceId: hex64(s.traceIdHigh) + hex64(s.traceIdLow),
      spanId: hex64(s.spanId),
      parentSpanId: hex64(s.parentSpanId),
      operationName: s.operationName as string,
      references: ((s.references as Record<string, unknown>[] | undefined) ?? []).map((r) => ({
        refType: r.refType as string,
        traceId: hex64(r.traceIdHigh) + hex64(r.traceIdLow),
        spanId: hex64(r.spanId),
      })),
      flags: s.flags as number,
      startTime: s.startTime as bigint,
      duration: s.duration as bigint,
      tags: tagsOf(s.tags),
      logs: ((s.logs as Record<string, unknown>[] | undefined) ?? []).map((l) => ({
        timestamp: l.timestamp as bigint,
        fields: tagsOf(l.fields),
      })),
    })),
  };
}

/** A Jaeger collector's `POST /api/traces` body: one `Batch` struct in the binary protocol. */
export function decodeCollectorBatch(body: Buffer): JaegerBatch {
  const idl = jaegerIdl();
  const { protocol, end } = reader(body);
  const batch = readStruct(idl, protocol, idl.structs.get('Batch') as Map<number, IdlField>, 'Batch');
  end();
  return batchOf(batch);
}

/** A Jaeger agent's UDP packet: a binary-protocol `Agent.emitBatch` message. */
export function decodeAgentPacket(packet: Buffer): {
  method: string;
  messageType: string;
  batch: JaegerBatch;
} {
  const idl = jaegerIdl();
  const { protocol, end } = reader(packet);
  const { fname, mtype } = protocol.readMessageBegin();
  const method = idl.methods.get(`Agent.${fname}`);
  if (!method) throw new Error(`Agent has no method ${fname}`);
  const args = readStruct(idl, protocol, method.args, `Agent.${fname}`);
  end();
  const messageType = Object.keys(MessageType).find((k) => MessageType[k] === mtype) ?? String(mtype);
  return { method: fname, messageType, batch: batchOf(args.batch as Record<string, unknown>) };
}

/** Whether the IDL declares `Service.method` oneway (emitBatch is: the agent never answers). */
export function isOneway(service: string, method: string): boolean {
  return jaegerIdl().methods.get(`${service}.${method}`)?.oneway ?? false;
}
