/**
 * Reading data tables safely.
 *
 * @module
 */

/**
 * Looks `key` up among a table's own entries only, so a provider value such as
 * `constructor` or `__proto__` finds nothing instead of an inherited member.
 */
export function ownEntry<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
