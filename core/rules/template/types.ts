/**
 * A Go text/template as Prometheus's rule templates use it, parsed once when the rule file loads.
 * Offsets are character offsets into `text`.
 */
export interface Template {
  /** The text as written. */
  readonly text: string;
  readonly nodes: readonly TemplateNode[];
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipe: Pipeline }
  | {
      readonly kind: 'if' | 'with' | 'range';
      readonly pipe: Pipeline;
      readonly list: readonly TemplateNode[];
      readonly elseList: readonly TemplateNode[] | undefined;
    };

export interface Pipeline {
  readonly offset: number;
  /** `$x := ...` (or `$i, $e := range ...`): the variables declared; empty when none. */
  readonly declare: readonly string[];
  /** `$x = ...`: assigns an existing variable instead of declaring one. */
  readonly assign: boolean;
  readonly commands: readonly Command[];
}

export interface Command {
  readonly offset: number;
  readonly args: readonly Operand[];
}

export type Operand =
  /** `.`, `.A.B`: fields of dot. */
  | { readonly kind: 'field'; readonly chain: readonly string[]; readonly offset: number }
  /** `$`, `$x`, `$x.A`. */
  | {
      readonly kind: 'variable';
      readonly name: string;
      readonly chain: readonly string[];
      readonly offset: number;
    }
  /** A function name. */
  | { readonly kind: 'function'; readonly name: string; readonly offset: number }
  | { readonly kind: 'value'; readonly value: GoValue; readonly offset: number }
  /** `( pipeline )`, maybe followed by `.Field`s. */
  | {
      readonly kind: 'pipe';
      readonly pipe: Pipeline;
      readonly chain: readonly string[];
      readonly offset: number;
    };

/**
 * A value as a Go template sees it: string, float64 (number), int (bigint), bool, nil (null), a
 * string map (labels), a slice (array), or a struct (a plain object with fixed fields).
 */
export type GoValue = string | number | bigint | boolean | null | GoMap | readonly GoValue[] | GoStruct;

/** map[string]string: a missing key is "" (Prometheus runs templates with missingkey=zero). */
export class GoMap {
  constructor(readonly entries: Readonly<Record<string, string>>) {}
}

/** A struct: reading a field it does not have is an error. */
export interface GoStruct {
  readonly goStruct: string;
  readonly fields: Readonly<Record<string, GoValue>>;
}

/** A template that does not parse: `offset` in its text. */
export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
