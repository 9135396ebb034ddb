import { lex, type Token } from './lex.js';
import {
  type Command,
  type Operand,
  type Pipeline,
  type Template,
  type TemplateNode,
  TemplateSyntaxError,
} from './types.js';

/** Go template keywords this subset refuses: the error says so at load time instead of misbehaving later. */
const REFUSED = new Set(['define', 'template', 'block', 'break', 'continue']);
/** Go or Prometheus template functions this subset does not have (they return Go types with methods). */
const REFUSED_FUNCTIONS = new Set([
  'toTime',
  'toDuration',
  'args',
  'tmpl',
  'call',
  'js',
  'slice',
  'safeHtml',
]);

/**
 * Parses a Go text/template: text, `{{ pipeline }}`, `{{ $x := ... }}`, `{{ $x = ... }}`, if / else if /
 * else, range (with `$i, $e :=`), with, comments, `{{-` `-}}` trimming. `functions` are the names that
 * may be called; any other name is an error here, as Go's parser makes it. `variables` are declared
 * before the text (Prometheus declares $labels, $value...).
 */
export function parseTemplate(
  text: string,
  functions: ReadonlySet<string>,
  variables: readonly string[] = [],
): Template {
  const parser = new Parser(lex(text), functions, variables);
  const { nodes, ended } = parser.list(undefined);
  if (ended) throw new TemplateSyntaxError(`unexpected {{${ended.word}}}`, ended.offset);
  return { text, nodes };
}

type ListEnd = { word: 'end' | 'else'; offset: number; elseIf?: Pipeline };

class Parser {
  private i = 0;
  private readonly declared: string[];

  constructor(
    private readonly tokens: Token[],
    private readonly functions: ReadonlySet<string>,
    variables: readonly string[],
  ) {
    this.declared = ['$', ...variables];
  }

  /**
   * Nodes up to `{{end}}` or `{{else}}` of the block opened at `blockAt` (the offset of its keyword),
   * or the end of the text outside any block.
   */
  list(blockAt: number | undefined): { nodes: TemplateNode[]; ended: ListEnd | undefined } {
    const inBlock = blockAt !== undefined;
    const nodes: TemplateNode[] = [];
    for (;;) {
      const token = this.tokens[this.i++];
      if (!token) {
        if (inBlock) throw new TemplateSyntaxError('unexpected EOF: this block has no {{end}}', blockAt);
        return { nodes, ended: undefined };
      }
      if (token.type === 'text') {
        nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      if (token.type !== 'open') throw new TemplateSyntaxError('unexpected token', token.offset);
      const word = this.peek();
      if (word?.type === 'identifier' && (word.name === 'end' || word.name === 'else')) {
        this.i++;
        let elseIf: Pipeline | undefined;
        if (word.name === 'else' && this.peekIdentifier('if')) {
          this.i++;
          elseIf = this.pipeline('if');
        } else this.expectClose(word.name);
        if (!inBlock) throw new TemplateSyntaxError(`unexpected {{${word.name}}}`, word.offset);
        return { nodes, ended: { word: word.name, offset: word.offset, elseIf } };
      }
      if (
        word?.type === 'identifier' &&
        (word.name === 'if' || word.name === 'range' || word.name === 'with')
      ) {
        this.i++;
        nodes.push(this.control(word.name, word.offset));
        continue;
      }
      if (word?.type === 'identifier' && REFUSED.has(word.name))
        throw new TemplateSyntaxError(
          `{{${word.name}}} is not supported in rule templates (supported: if, else, range, with, variables, pipelines)`,
          word.offset,
        );
      nodes.push({ kind: 'action', pipe: this.pipeline('command') });
    }
  }

  /** if / range / with after its keyword, through its {{end}}. Variables declared inside end with it. */
  private control(kind: 'if' | 'range' | 'with', at: number): TemplateNode {
    const mark = this.declared.length;
    const pipe = this.pipeline(kind);
    const body = this.list(at);
    const elseList = this.elseOf(body, at);
    this.declared.length = mark;
    return { kind, pipe, list: body.nodes, elseList };
  }

  private elseOf(part: { ended: ListEnd | undefined }, at: number): TemplateNode[] | undefined {
    if (part.ended?.word !== 'else') return undefined;
    if (part.ended.elseIf) {
      const nested = this.list(at);
      return [{ kind: 'if', pipe: part.ended.elseIf, list: nested.nodes, elseList: this.elseOf(nested, at) }];
    }
    const rest = this.list(at);
    if (rest.ended?.word !== 'end')
      throw new TemplateSyntaxError('expected {{end}}', rest.ended?.offset ?? 0);
    return rest.nodes;
  }

  /** A pipeline up to the closing `}}` (or `)` when `context` is 'paren'). */
  private pipeline(context: 'command' | 'if' | 'range' | 'with' | 'paren'): Pipeline {
    const start = this.peek();
    const offset = start?.offset ?? this.endOffset();
    const declare: string[] = [];
    let assign = false;
    const save = this.i;
    while (this.peek()?.type === 'variable') {
      declare.push((this.tokens[this.i++] as { name: string }).name);
      const next = this.peek();
      if (next?.type === 'punct' && next.text === ',' && context === 'range' && declare.length === 1) {
        this.i++;
        continue;
      }
      if (next?.type === 'punct' && (next.text === ':=' || next.text === '=')) {
        this.i++;
        assign = next.text === '=';
        break;
      }
      // Not a declaration: a pipeline that starts with a variable.
      declare.length = 0;
      this.i = save;
      break;
    }
    if (assign) for (const name of declare) this.checkDeclared(name, offset);
    const commands: Command[] = [];
    for (;;) {
      commands.push(this.command());
      const next = this.peek();
      if (next?.type === 'punct' && next.text === '|') {
        this.i++;
        continue;
      }
      break;
    }
    if (context === 'paren') this.expectPunct(')');
    else this.expectClose(context);
    // Declared after the pipeline: `{{ $x := $x }}` reads the outer $x.
    if (!assign) this.declared.push(...declare);
    return { offset, declare, assign, commands };
  }

  private command(): Command {
    const first = this.peek();
    const offset = first?.offset ?? this.endOffset();
    const args: Operand[] = [];
    for (;;) {
      const token = this.peek();
      if (
        !token ||
        token.type === 'close' ||
        (token.type === 'punct' && (token.text === '|' || token.text === ')'))
      )
        break;
      args.push(this.operand());
    }
    if (args.length === 0) throw new TemplateSyntaxError('missing value for command', offset);
    if (args.length > 1 && args[0]?.kind !== 'function')
      throw new TemplateSyntaxError("can't give argument to non-function", args[1]?.offset ?? offset);
    return { offset, args };
  }

  private operand(): Operand {
    const token = this.tokens[this.i++] as Token;
    const { offset } = token;
    switch (token.type) {
      case 'dot':
        return { kind: 'field', chain: [], offset };
      case 'field':
        return { kind: 'field', chain: [token.name, ...this.chain()], offset };
      case 'variable':
        this.checkDeclared(token.name, offset);
        return { kind: 'variable', name: token.name, chain: this.chain(), offset };
      case 'value':
        return { kind: 'value', value: token.value, offset };
      case 'identifier':
        if (REFUSED_FUNCTIONS.has(token.name))
          throw new TemplateSyntaxError(
            `function "${token.name}" is not supported in rule templates`,
            offset,
          );
        if (!this.functions.has(token.name))
          throw new TemplateSyntaxError(`function "${token.name}" not defined`, offset);
        return { kind: 'function', name: token.name, offset };
      case 'punct':
        if (token.text === '(') {
          const pipe = this.pipeline('paren');
          return { kind: 'pipe', pipe, chain: this.chain(), offset };
        }
        throw new TemplateSyntaxError(`unexpected "${token.text}" in operand`, offset);
      default:
        throw new TemplateSyntaxError('unexpected token in operand', offset);
    }
  }

  /** `.A.B` written directly after an operand. */
  private chain(): string[] {
    const chain: string[] = [];
    for (let t = this.peek(); t?.type === 'field' && t.joined; t = this.peek()) {
      chain.push(t.name);
      this.i++;
    }
    return chain;
  }

  private checkDeclared(name: string, offset: number): void {
    if (!this.declared.includes(name)) throw new TemplateSyntaxError(`undefined variable "${name}"`, offset);
  }

  private expectClose(what: string): void {
    const token = this.tokens[this.i++];
    if (token?.type !== 'close')
      throw new TemplateSyntaxError(`unexpected token in ${what}`, token?.offset ?? this.endOffset());
  }

  private expectPunct(text: string): void {
    const token = this.tokens[this.i++];
    if (token?.type !== 'punct' || token.text !== text)
      throw new TemplateSyntaxError(`expected "${text}"`, token?.offset ?? this.endOffset());
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private peekIdentifier(name: string): boolean {
    const t = this.peek();
    return t?.type === 'identifier' && t.name === name;
  }

  private endOffset(): number {
    const last = this.tokens[this.tokens.length - 1];
    return last ? last.offset : 0;
  }
}
