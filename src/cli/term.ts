/**
 * Terminal output: colour only on a terminal and only when `NO_COLOR` is unset,
 * status marks, and aligned `label  value` rows.
 *
 * @module
 */
import type { CliIO, CliWriter } from './io';

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const CODES: Readonly<Record<Style, [number, number]>> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** True when text written to `writer` may carry ANSI colour. */
export function colourEnabled(writer: CliWriter, env: CliIO['env']): boolean {
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return writer.isTTY === true;
}

/** One output stream with its styling decided once. */
export class Out {
  readonly #writer: CliWriter;
  readonly #colour: boolean;

  constructor(writer: CliWriter, env: CliIO['env']) {
    this.#writer = writer;
    this.#colour = colourEnabled(writer, env);
  }

  /** Whether this stream is coloured. */
  get coloured(): boolean {
    return this.#colour;
  }

  /** `text` in `style`, or plain when colour is off. */
  style(style: Style, text: string): string {
    if (!this.#colour) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** Writes one line. */
  line(text = ''): void {
    this.#writer.write(`${text}\n`);
  }

  /** Writes text as is. */
  raw(text: string): void {
    this.#writer.write(text);
  }

  /** `✔ text`, green. */
  ok(text: string): void {
    this.line(`${this.style('green', '✔')} ${text}`);
  }

  /** `✖ text`, red. */
  fail(text: string): void {
    this.line(`${this.style('red', '✖')} ${text}`);
  }

  /** `! text`, yellow. */
  warn(text: string): void {
    this.line(`${this.style('yellow', '!')} ${text}`);
  }

  /** `… text`, dimmed: something under way. */
  progress(text: string): void {
    this.line(this.style('dim', `… ${text}`));
  }

  /** Indented `label  value` rows with the labels padded to one width. */
  rows(rows: ReadonlyArray<readonly [string, string]>, indent = 2): void {
    const width = Math.max(0, ...rows.map(([label]) => label.length));
    for (const [label, value] of rows) {
      this.line(`${' '.repeat(indent)}${this.style('dim', label.padEnd(width))}  ${value}`);
    }
  }
}

/** Both output streams of a command. */
export interface Terminal {
  out: Out;
  err: Out;
}

/** The styled streams of `io`. */
export function terminal(io: CliIO): Terminal {
  return { out: new Out(io.stdout, io.env), err: new Out(io.stderr, io.env) };
}
