import { formatG } from './go-format.js';
import {
  type Command,
  GoMap,
  type GoStruct,
  type GoValue,
  type Operand,
  type Pipeline,
  type Template,
  type TemplateNode,
} from './types.js';

/** A template function: takes evaluated arguments, returns a value or throws (Go's error result). */
export type TemplateFunction = (args: GoValue[]) => GoValue;

/** `and` and `or` evaluate their arguments lazily, as Go's do. */
const LAZY = new Set(['and', 'or']);

/** A template failed while running: Go's `executing "<name>" at <...>: ...`. */
export class TemplateExecError extends Error {
  override name = 'TemplateExecError';
}

/** Executes a parsed template with `data` as dot and `variables` predeclared. */
export function executeTemplate(
  template: Template,
  data: GoValue,
  variables: Readonly<Record<string, GoValue>>,
  functions: ReadonlyMap<string, TemplateFunction>,
): string {
  const state = new State(template.text, functions, [['$', data], ...Object.entries(variables)]);
  return state.walk(template.nodes, data);
}

class State {
  private out = '';

  constructor(
    private readonly text: string,
    private readonly functions: ReadonlyMap<string, TemplateFunction>,
    private readonly vars: [string, GoValue][],
  ) {}

  walk(nodes: readonly TemplateNode[], dot: GoValue): string {
    for (const node of nodes) this.node(node, dot);
    return this.out;
  }

  private node(node: TemplateNode, dot: GoValue): void {
    switch (node.kind) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const value = this.pipeline(node.pipe, dot);
        if (node.pipe.declare.length === 0) this.out += printValue(value);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const value = this.pipeline(node.pipe, dot);
        if (isTrue(value)) this.walk(node.list, node.kind === 'with' ? value : dot);
        else if (node.elseList) this.walk(node.elseList, dot);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.range(node, dot);
        return;
    }
  }

  private range(node: Extract<TemplateNode, { list: unknown }>, dot: GoValue): void {
    const mark = this.vars.length;
    const value = this.pipeline({ ...node.pipe, declare: [] }, dot);
    const items: [GoValue, GoValue][] = [];
    if (Array.isArray(value)) for (const [i, v] of value.entries()) items.push([BigInt(i), v]);
    else if (value instanceof GoMap)
      for (const key of Object.keys(value.entries).sort()) items.push([key, value.entries[key] as string]);
    else if (typeof value === 'bigint') for (let i = 0n; i < value; i++) items.push([i, i]);
    else if (value !== null)
      throw this.error(node.pipe.offset, `range can't iterate over ${printValue(value)}`);
    if (items.length === 0) {
      if (node.elseList) this.walk(node.elseList, dot);
      return;
    }
    const [first, second] = node.pipe.declare;
    for (const [key, element] of items) {
      const inner = this.vars.length;
      // One variable gets the element; two get the key and the element.
      if (second !== undefined) this.vars.push([first as string, key], [second, element]);
      else if (first !== undefined) this.vars.push([first, element]);
      this.walk(node.list, element);
      this.vars.length = inner;
    }
    this.vars.length = mark;
  }

  private pipeline(pipe: Pipeline, dot: GoValue): GoValue {
    let value: GoValue | undefined;
    for (const command of pipe.commands) value = this.command(command, dot, value);
    const result = value ?? null;
    for (const name of pipe.declare) {
      if (pipe.assign) this.setVariable(name, result);
      else this.vars.push([name, result]);
    }
    return result;
  }

  /** One command; `piped` is the previous command's result, passed as the last argument. */
  private command(command: Command, dot: GoValue, piped: GoValue | undefined): GoValue {
    const [head, ...rest] = command.args as [Operand, ...Operand[]];
    if (head.kind !== 'function') {
      if (piped !== undefined) throw this.error(head.offset, "can't give argument to non-function");
      return this.operand(head, dot);
    }
    const fn = this.functions.get(head.name) as TemplateFunction;
    if (LAZY.has(head.name)) return this.lazy(head.name === 'and', rest, dot, piped, head.offset);
    const args = rest.map((arg) => this.operand(arg, dot));
    if (piped !== undefined) args.push(piped);
    try {
      return fn(args);
    } catch (err) {
      throw this.error(head.offset, `error calling ${head.name}: ${(err as Error).message}`);
    }
  }

  /** `and` returns its first false argument or the last; `or` its first true one or the last. */
  private lazy(
    and: boolean,
    args: readonly Operand[],
    dot: GoValue,
    piped: GoValue | undefined,
    offset: number,
  ) {
    const count = args.length + (piped === undefined ? 0 : 1);
    if (count < 1)
      throw this.error(offset, `wrong number of args for ${and ? 'and' : 'or'}: want at least 1 got 0`);
    let value: GoValue = null;
    for (let i = 0; i < count; i++) {
      value = i < args.length ? this.operand(args[i] as Operand, dot) : (piped as GoValue);
      if (isTrue(value) !== and) return value;
    }
    return value;
  }

  private operand(operand: Operand, dot: GoValue): GoValue {
    switch (operand.kind) {
      case 'value':
        return operand.value;
      case 'field':
        return this.fields(dot, operand.chain, operand.offset);
      case 'variable':
        return this.fields(this.variable(operand.name), operand.chain, operand.offset);
      case 'pipe':
        return this.fields(this.pipeline(operand.pipe, dot), operand.chain, operand.offset);
      case 'function':
        return this.command({ offset: operand.offset, args: [operand] }, dot, undefined);
    }
  }

  private fields(value: GoValue, chain: readonly string[], offset: number): GoValue {
    let current = value;
    for (const name of chain) {
      if (current instanceof GoMap) current = current.entries[name] ?? '';
      else if (isStruct(current)) {
        if (!(name in current.fields))
          throw this.error(offset, `can't evaluate field ${name} in type ${current.goStruct}`);
        current = current.fields[name] as GoValue;
      } else if (current === null) throw this.error(offset, `nil pointer evaluating .${name}`);
      else throw this.error(offset, `can't evaluate field ${name} in type ${goType(current)}`);
    }
    return current;
  }

  private variable(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const [n, v] = this.vars[i] as [string, GoValue];
      if (n === name) return v;
    }
    return null;
  }

  private setVariable(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const entry = this.vars[i] as [string, GoValue];
      if (entry[0] === name) {
        entry[1] = value;
        return;
      }
    }
  }

  private error(offset: number, message: string): TemplateExecError {
    const before = this.text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return new TemplateExecError(`${line}:${column}: ${message}`);
  }
}

export function isStruct(value: GoValue): value is GoStruct {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoMap);
}

/** Go's truth: false, 0, "", nil and empty maps and slices are false; structs are true. */
export function isTrue(value: GoValue): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof GoMap) return Object.keys(value.entries).length > 0;
  return true;
}

/** The Go type name, as error messages say it. */
export function goType(value: GoValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'slice';
  if (value instanceof GoMap) return 'map[string]string';
  return (value as GoStruct).goStruct;
}

/** fmt.Sprint of one value, as an action prints it (`<no value>` for nil). */
export function printValue(value: GoValue): string {
  if (value === null) return '<no value>';
  return sprint(value);
}

function sprint(value: GoValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatG(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(sprint).join(' ')}]`;
  if (value instanceof GoMap)
    return `map[${Object.keys(value.entries)
      .sort()
      .map((k) => `${k}:${value.entries[k]}`)
      .join(' ')}]`;
  const struct = value as GoStruct;
  return `&{${Object.values(struct.fields).map(sprint).join(' ')}}`;
}

/** fmt.Sprint of several: a space between two operands when neither is a string. */
export function sprintAll(values: readonly GoValue[]): string {
  let out = '';
  values.forEach((v, i) => {
    if (i > 0 && typeof v !== 'string' && typeof values[i - 1] !== 'string') out += ' ';
    out += sprint(v);
  });
  return out;
}
