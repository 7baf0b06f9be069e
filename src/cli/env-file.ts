/**
 * Reading a `.env` file (`KEY=value` lines) for `--env-file`.
 *
 * Supported: blank lines, `#` comments, an `export ` prefix, unquoted values
 * (a ` #` starts a comment), single-quoted values (taken literally) and
 * double-quoted values (with `\n`, `\t`, `\"` and `\\` escapes). A line that is
 * none of these is an error naming its line number, never its content.
 *
 * @module
 */
import { ConfigError } from 'idv-providers';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function unquoteDouble(text: string): string | undefined {
  let out = '';
  for (let i = 1; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch === '"')
      return text
        .slice(i + 1)
        .trim()
        .replace(/^#.*/, '') === ''
        ? out
        : undefined;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    i += 1;
    const next = text[i];
    if (next === undefined) return undefined;
    out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
  }
  return undefined;
}

function unquoteSingle(text: string): string | undefined {
  const end = text.indexOf("'", 1);
  if (end === -1) return undefined;
  return text
    .slice(end + 1)
    .trim()
    .replace(/^#.*/, '') === ''
    ? text.slice(1, end)
    : undefined;
}

function parseValue(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('"')) return unquoteDouble(trimmed);
  if (trimmed.startsWith("'")) return unquoteSingle(trimmed);
  const comment = trimmed.search(/\s#/);
  return (comment === -1 ? trimmed : trimmed.slice(0, comment)).trim();
}

/**
 * Parses the text of a `.env` file into variables. `label` names the file in
 * errors.
 */
export function parseEnvFile(text: string, label: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const body = trimmed.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? '' : body.slice(0, eq).trim();
    const value = eq === -1 ? undefined : parseValue(body.slice(eq + 1));
    if (!NAME.test(name) || value === undefined) {
      throw new ConfigError(
        `[idv] ${label}: line ${index + 1} is not a NAME=value line (or has an unclosed quote)`,
      );
    }
    out[name] = value;
  });
  return out;
}
