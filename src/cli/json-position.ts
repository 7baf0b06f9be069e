/**
 * Where a JSON text stops being valid, as line and column, so an error can
 * point at it without quoting the text (a config file may hold a secret, and
 * `JSON.parse`'s own message quotes the text around the error); and where it
 * nests deeper than a reader of it should follow. Both read the text in one
 * pass, and neither recurses deeper than {@link MAX_JSON_DEPTH}.
 *
 * @module
 */

/** How deep arrays and objects may nest in a JSON text the command line reads. */
export const MAX_JSON_DEPTH = 32;

/** A line and column (1-based) in a text. */
export interface TextPosition {
  line: number;
  column: number;
}

/** The line and column (1-based) of `offset` in `text`. */
function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Stop extends Error {
  constructor(readonly offset: number) {
    super('invalid JSON');
  }
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** A small recursive-descent reader that only finds the first offending offset. */
class Reader {
  i = 0;
  constructor(readonly text: string) {}

  space(): void {
    while (/[ \t\n\r]/.test(this.text[this.i] ?? '')) this.i += 1;
  }

  expect(literal: string): void {
    for (const ch of literal) {
      if (this.text[this.i] !== ch) throw new Stop(this.i);
      this.i += 1;
    }
  }

  string(): void {
    this.expect('"');
    for (;;) {
      const ch = this.text[this.i];
      if (ch === undefined || ch < ' ') throw new Stop(this.i);
      this.i += 1;
      if (ch === '"') return;
      if (ch === '\\') {
        const esc = this.text[this.i] ?? '';
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 1, this.i + 5))) {
            throw new Stop(this.i);
          }
          this.i += 5;
        } else if ('"\\/bfnrt'.includes(esc) && esc !== '') {
          this.i += 1;
        } else {
          throw new Stop(this.i);
        }
      }
    }
  }

  number(): void {
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (match === null) throw new Stop(this.i);
    this.i += match[0].length;
  }

  list(close: string, item: () => void): void {
    this.i += 1;
    this.space();
    if (this.text[this.i] === close) {
      this.i += 1;
      return;
    }
    for (;;) {
      item();
      this.space();
      const ch = this.text[this.i];
      this.i += 1;
      if (ch === close) return;
      if (ch !== ',') throw new Stop(this.i - 1);
      this.space();
    }
  }

  value(depth = 0): void {
    this.space();
    const ch = this.text[this.i];
    // Deeper than any text this reads is checked to be: stop there, never overflow the stack.
    if ((ch === '{' || ch === '[') && depth >= MAX_JSON_DEPTH) throw new Stop(this.i);
    if (ch === '{') {
      this.list('}', () => {
        this.string();
        this.space();
        this.expect(':');
        this.value(depth + 1);
      });
    } else if (ch === '[') {
      this.list(']', () => this.value(depth + 1));
    } else if (ch === '"') {
      this.string();
    } else if (ch === 't') {
      this.expect('true');
    } else if (ch === 'f') {
      this.expect('false');
    } else if (ch === 'n') {
      this.expect('null');
    } else {
      this.number();
    }
  }
}

/**
 * Where the array or object that nests deeper than `max` levels opens in
 * `text` (read as JSON, strings skipped), or `undefined` when nothing does.
 * One pass, no recursion, whatever the text holds.
 */
export function jsonDepthError(text: string, max = MAX_JSON_DEPTH): TextPosition | undefined {
  const body = text.replace(/^\uFEFF/, '');
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{' || ch === '[') {
      depth += 1;
      if (depth > max) return positionAt(body, i);
    } else if (ch === '}' || ch === ']') {
      depth -= 1;
    }
  }
  return undefined;
}

/**
 * `line L, column C` (1-based) of the first error in `text`, or of the first
 * array or object nested deeper than {@link MAX_JSON_DEPTH} levels (where this
 * reader stops); `undefined` if it is valid JSON within that depth.
 */
export function jsonErrorPosition(text: string): TextPosition | undefined {
  const reader = new Reader(text.replace(/^\uFEFF/, ''));
  let offset: number;
  try {
    reader.value();
    reader.space();
    if (reader.i === reader.text.length) return undefined;
    offset = reader.i;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    offset = error.offset;
  }
  return positionAt(reader.text, offset);
}
