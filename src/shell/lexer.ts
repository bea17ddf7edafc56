/**
 * Splits crm configure text into statements of shell-style tokens.
 *
 * One statement per logical line; a trailing backslash joins the next line.
 * A line whose first non-blank character is "#" is a comment. Tokens split
 * on blanks; "..." and '...' quote (the quotes go, their content stays in
 * one token), and a backslash outside single quotes takes the next
 * character literally. Each token keeps the line and column it starts at.
 */
import { ShellError } from "./errors.js";

export interface Token {
  value: string;
  line: number;
  column: number;
  /** true when any part of the token was quoted (so it is never a keyword or bracket). */
  quoted: boolean;
}

export interface TokenLine {
  tokens: Token[];
  line: number;
}

export function tokenize(text: string): TokenLine[] {
  return new Lexer(text).run();
}

class Lexer {
  private pos = 0;
  private line = 1;
  private column = 1;
  private readonly statements: TokenLine[] = [];
  private current: Token[] = [];
  private atLineStart = true;

  constructor(private readonly text: string) {}

  run(): TokenLine[] {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === "\n") {
        this.advance();
        this.endStatement();
      } else if (c === " " || c === "\t" || c === "\r") {
        this.advance();
      } else if (c === "\\" && this.continuesLine()) {
        this.skipContinuation();
      } else if (c === "#" && this.atLineStart && this.current.length === 0) {
        this.skipComment();
      } else {
        this.atLineStart = false;
        this.current.push(this.word());
      }
    }
    this.endStatement();
    return this.statements;
  }

  private advance(): string {
    const c = this.text[this.pos++];
    if (c === "\n") {
      this.line++;
      this.column = 1;
    } else this.column++;
    return c;
  }

  /** A backslash followed by optional blanks and a newline (or the end). */
  private continuesLine(): boolean {
    let i = this.pos + 1;
    while (this.text[i] === " " || this.text[i] === "\t" || this.text[i] === "\r") i++;
    return i >= this.text.length || this.text[i] === "\n";
  }

  private skipContinuation(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.advance();
    if (this.pos < this.text.length) this.advance();
  }

  private skipComment(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.advance();
  }

  private endStatement(): void {
    if (this.current.length > 0) this.statements.push({ tokens: this.current, line: this.current[0].line });
    this.current = [];
    this.atLineStart = true;
  }

  private word(): Token {
    const token: Token = { value: "", line: this.line, column: this.column, quoted: false };
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") break;
      if (c === "\\" && this.continuesLine()) break;
      if (c === '"' || c === "'") {
        token.quoted = true;
        token.value += this.quoted(c);
      } else if (c === "\\") {
        this.advance();
        token.value += this.pos < this.text.length ? this.advance() : "";
      } else {
        token.value += this.advance();
      }
    }
    return token;
  }

  private quoted(quote: string): string {
    const line = this.line;
    const column = this.column;
    this.advance();
    let value = "";
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      const c = this.advance();
      if (c === "\\" && quote === '"' && this.pos < this.text.length && /["\\$`]/.test(this.text[this.pos])) value += this.advance();
      else if (c === "\\" && quote === '"' && this.text[this.pos] === "\n") this.advance();
      else value += c;
    }
    if (this.pos >= this.text.length) {
      throw new ShellError("unterminated quoted text", { line, column, text: quote }, `close it with ${quote}`);
    }
    this.advance();
    return value;
  }
}
