import type { FunctionDef } from '../types.js';
import { SIGNATURES } from './signatures.js';

type Call = FunctionDef['call'];

/** The implementations, by family; a name absent here is refused at load time, so never called. */
const CALLS: Readonly<Record<string, Call>> = {};

function refusedCall(name: string): Call {
  return () => {
    throw new Error(`PromQL function ${name}() is refused at load time and cannot be evaluated`);
  };
}

/**
 * Every function Prometheus v3.14.0 knows, by name. `experimental` ones (feature-flagged in
 * Prometheus, or native-histogram-only) carry `refusedBecause`; the parser refuses them with
 * TRB_PROMQL_UNSUPPORTED at the call's position.
 */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  SIGNATURES.map((s): [string, FunctionDef] => {
    const base = { name: s.name, argTypes: s.argTypes, variadic: s.variadic, returnType: s.returnType };
    const call = CALLS[s.name];
    if (s.refused || !call)
      return [
        s.name,
        {
          ...base,
          experimental: true,
          refusedBecause: s.refused ?? 'is not implemented yet',
          call: refusedCall(s.name),
        },
      ];
    return [s.name, { ...base, call }];
  }),
);
