/**
 * Where a JSON text stops being valid, as line and column, so an error can
 * point at it without quoting the text (a config file may hold a secret, and
 * `JSON.parse`'s own message quotes the text around the error).
 *
 * @module
 */

class Stop extends Error {
  constructor(readonly offset: number) {
    super('invalid JSON');
  }
}

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
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
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

  value(): void {
    this.space();
    const ch = this.text[this.i];
    if (ch === '{') {
      this.list('}', () => {
        this.string();
        this.space();
        this.expect(':');
        this.value();
      });
    } else if (ch === '[') {
      this.list(']', () => this.value());
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

/** `line L, column C` (1-based) of the first error in `text`, or `undefined` if it is valid JSON. */
export function jsonErrorPosition(text: string): { line: number; column: number } | undefined {
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
  const before = reader.text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
