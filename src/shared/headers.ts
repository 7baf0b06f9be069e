/**
 * Reading a request header, whatever form the headers come in.
 *
 * @module
 */

/** Headers as a host may pass them: a Web `Headers` object or a plain record. */
export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/** The value of a header, matched case-insensitively; the first one if repeated. */
export function headerValue(
  headers: HeaderBag | null | undefined,
  name: string,
): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  // Node and most frameworks give lower-case names: try the direct lookups first.
  const wanted = name.toLowerCase();
  const direct = Object.hasOwn(record, wanted)
    ? record[wanted]
    : Object.hasOwn(record, name)
      ? record[name]
      : undefined;
  if (direct !== undefined) return Array.isArray(direct) ? direct[0] : direct;
  for (const [key, value] of Object.entries(
    headers as Record<string, string | string[] | undefined>,
  )) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
