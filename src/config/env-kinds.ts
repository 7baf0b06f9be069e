/**
 * Which options can come from the environment, and how their text is read,
 * derived from the options schema itself: a string (or URL, or enum) option
 * is read as text, a number as a whole number, a boolean as true/false, a
 * list of strings as a comma list. Options the environment cannot carry
 * (functions such as `policy`, objects such as `clock`) are left out.
 *
 * @module
 */
import type { z } from 'zod';

/** How an environment variable's text becomes an option's value. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list';

interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  out?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  entries?: Record<string, unknown>;
  values?: readonly unknown[];
}

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

/** The kind of one option's schema, or `undefined` when the environment cannot carry it. */
export function envKindOf(schema: z.core.$ZodType): EnvKind | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return def.innerType === undefined ? undefined : envKindOf(def.innerType);
    case 'pipe':
      // A preprocess or transform: what the value must be is its output schema.
      return def.out === undefined ? undefined : envKindOf(def.out);
    case 'string':
    case 'enum':
      return 'string';
    case 'literal':
      return def.values?.every((v) => typeof v === 'string') ? 'string' : undefined;
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return def.element !== undefined && envKindOf(def.element) === 'string' ? 'list' : undefined;
    default:
      return undefined;
  }
}

/** The object shape of a schema (through refinements), or `undefined` when it is not an object. */
export function shapeOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const def = defOf(schema);
  if (def.type === 'object') {
    return (schema._zod.def as unknown as { shape: Record<string, z.core.$ZodType> }).shape;
  }
  if (def.type === 'pipe' && def.in !== undefined) return shapeOf(def.in);
  return undefined;
}

/** Every option of an object schema the environment can carry, with its kind. */
export function envKindsOf(schema: z.core.$ZodType): Record<string, EnvKind> {
  const kinds: Record<string, EnvKind> = {};
  for (const [option, field] of Object.entries(shapeOf(schema) ?? {})) {
    const kind = envKindOf(field);
    if (kind !== undefined) kinds[option] = kind;
  }
  return kinds;
}
