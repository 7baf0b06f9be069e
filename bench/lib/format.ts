/**
 * Number formatting and plain-text tables for the bench output.
 *
 * @module
 */

export const MIB = 1024 * 1024;

/** `n` with thousands separators and `digits` decimals. */
export function num(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Milliseconds, one decimal. */
export const ms = (n: number): string => `${num(n, 1)} ms`;

/** Bytes as MiB, one decimal. */
export const mib = (bytes: number): string => `${num(bytes / MIB, 1)} MiB`;

/** `a / b` as `1.23x`. */
export function times(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  const r = a / b;
  return `${r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2)}x`;
}

/**
 * Lays out rows as a table: a header, a rule, then one line per row; columns
 * are left-aligned unless listed in `right`.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number> = new Set(),
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
