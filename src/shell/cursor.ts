/**
 * A cursor over one statement's tokens, with the matching helpers every
 * command parser uses. Failures raise ShellError at the current token (or
 * just past the last one when the statement ended too early).
 */
import type { Ref } from "./ast.js";
import { ShellError } from "./errors.js";
import type { Token } from "./lexer.js";

export class Cursor {
  private index = 0;

  constructor(readonly tokens: Token[]) {}

  get position(): number {
    return this.index;
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  remaining(): number {
    return this.tokens.length - this.index;
  }

  /** The next token, which must exist. */
  next(what = "more text"): Token {
    const token = this.tokens[this.index];
    if (!token) this.fail(`expected ${what}, but the statement ends here`);
    this.index++;
    return token;
  }

  /** Is the next token the (unquoted, case-insensitive) keyword? */
  isKeyword(...words: string[]): boolean {
    const token = this.peek();
    return token !== undefined && !token.quoted && words.includes(token.value.toLowerCase());
  }

  takeKeyword(...words: string[]): Token | undefined {
    return this.isKeyword(...words) ? this.next() : undefined;
  }

  /** Consumes the next token when it matches, returning the match. */
  take(pattern: RegExp): RegExpMatchArray | undefined {
    const token = this.peek();
    if (!token) return undefined;
    const m = token.value.match(pattern);
    if (!m) return undefined;
    this.index++;
    return m;
  }

  /** Removes the last token when it matches (crmsh reads some options from the end). */
  takeLast(pattern: RegExp): RegExpMatchArray | undefined {
    const last = this.tokens[this.tokens.length - 1];
    if (this.index >= this.tokens.length || !last) return undefined;
    const m = last.value.match(pattern);
    if (!m) return undefined;
    this.tokens.pop();
    return m;
  }

  rest(): Token[] {
    const out = this.tokens.slice(this.index);
    this.index = this.tokens.length;
    return out;
  }

  ref(token: Token): Ref {
    return { id: token.value, line: token.line, column: token.column };
  }

  fail(problem: string, token: Token | undefined = this.peek(), hint?: string): never {
    throw new ShellError(problem, this.where(token), hint);
  }

  where(token: Token | undefined): { line: number; column: number; text: string } {
    if (token) return { line: token.line, column: token.column, text: token.value };
    const last = this.tokens[this.tokens.length - 1];
    return last ? { line: last.line, column: last.column + last.value.length, text: "" } : { line: 1, column: 1, text: "" };
  }
}
