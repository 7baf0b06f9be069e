/** The library's version, sent in the `User-Agent` header (kept equal to package.json by a test). */
export const VERSION = '0.1.0';

/** The library's own `User-Agent` product token. */
export const LIBRARY_USER_AGENT = `idv-providers/${VERSION}`;
