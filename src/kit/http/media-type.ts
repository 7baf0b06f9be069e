/**
 * What a downloaded document is, decided from its first bytes, and the file
 * name it is handed over under. A provider's `Content-Type` (or a listing's
 * `file_type`) is a claim, not a fact: a `text/html` answer must not reach a
 * host that serves or opens documents by their type, and a file name from the
 * provider must not choose a directory, a hidden file or an extension a web
 * server would execute or render.
 *
 * | first bytes | content type |
 * |---|---|
 * | a JPEG, PNG, GIF, WebP, HEIC/HEIF, TIFF, PDF, MP4, QuickTime or WebM signature | that type, whatever the provider said |
 * | markup: `<` after any byte-order mark and white space (HTML, SVG, XML) | refused (`DownloadRefusedError`, `unsupported_type`) |
 * | anything else | the provider's type when it is one of {@link DOWNLOAD_MEDIA_TYPES}, else `application/octet-stream` |
 *
 * @module
 */
import type { DocumentInfo } from 'idv-providers';
import { ownEntry } from '../../shared/own-entry';

/** How many first bytes are read before the type is decided. */
export const SNIFF_BYTES = 64;

/** The type of a download whose bytes and provider name no listed type. */
export const UNKNOWN_MEDIA_TYPE = 'application/octet-stream';

/** The media types a download may be handed over as, with the extension its file name ends in. */
export const DOWNLOAD_MEDIA_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'image/tiff': 'tif',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  [UNKNOWN_MEDIA_TYPE]: 'bin',
};

/** Other spellings providers use for a listed type. */
const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heif',
  'video/x-m4v': 'video/mp4',
};

/** Extensions a file name may already end in for each type (besides the one it would get). */
const OTHER_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  'image/jpeg': ['jpeg', 'jpe'],
  'image/tiff': ['tiff'],
  'image/heic': ['heif'],
  'image/heif': ['heic'],
  'video/mp4': ['m4v'],
  'video/quicktime': ['qt'],
};

const ascii = (bytes: Buffer, start: number, end: number): string =>
  bytes.subarray(start, end).toString('latin1');

/** ISO base media files (MP4, QuickTime, HEIF) by the brand of their `ftyp` box. */
function isoBrandType(brand: string): string {
  if (brand === 'qt  ') return 'video/quicktime';
  if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs'].includes(brand)) {
    return 'image/heic';
  }
  if (brand === 'mif1' || brand === 'msf1') return 'image/heif';
  return 'video/mp4';
}

/** True when the bytes open with `<` after byte-order marks, white space and NULs (UTF-16). */
function isMarkup(bytes: Buffer): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  else if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    i = 2;
  }
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c || b === 0x00) continue;
    return b === 0x3c;
  }
  return false;
}

/**
 * The type the first bytes show: a listed type, `'markup'`, or `undefined`
 * when they show nothing known.
 */
export function sniffMediaType(bytes: Buffer): string | 'markup' | undefined {
  const at = (i: number) => bytes[i];
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  const six = ascii(bytes, 0, 6);
  if (six === 'GIF87a' || six === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf';
  const four = ascii(bytes, 0, 4);
  if (four === 'II*\x00' || four === 'MM\x00*') return 'image/tiff';
  if (at(0) === 0x1a && at(1) === 0x45 && at(2) === 0xdf && at(3) === 0xa3) return 'video/webm';
  const box = ascii(bytes, 4, 8);
  if (box === 'ftyp' && bytes.length >= 12) return isoBrandType(ascii(bytes, 8, 12));
  if (['moov', 'mdat', 'wide', 'free', 'skip'].includes(box)) return 'video/quicktime';
  if (isMarkup(bytes)) return 'markup';
  return undefined;
}

/** A declared content type (`Image/PNG; charset=x`) as a listed type, or `undefined`. */
function listedType(declared: string | undefined): string | undefined {
  if (declared === undefined) return undefined;
  const semicolon = declared.indexOf(';');
  const bare = (semicolon === -1 ? declared : declared.slice(0, semicolon)).trim().toLowerCase();
  const type = ownEntry(ALIASES, bare) ?? bare;
  return type !== UNKNOWN_MEDIA_TYPE && ownEntry(DOWNLOAD_MEDIA_TYPES, type) !== undefined
    ? type
    : undefined;
}

/** The decision for one download. */
export type MediaTypeDecision =
  | { ok: true; type: string }
  | { ok: false; found: 'markup (HTML, SVG or XML)' };

/**
 * The content type of a download from its first bytes and the types the
 * provider declared for it, first one first (the answer's `Content-Type`,
 * then the listing's): see the table in this module's description.
 */
export function mediaTypeOf(
  head: Buffer,
  declared: readonly (string | undefined)[],
): MediaTypeDecision {
  const sniffed = sniffMediaType(head);
  if (sniffed === 'markup') return { ok: false, found: 'markup (HTML, SVG or XML)' };
  if (sniffed !== undefined) return { ok: true, type: sniffed };
  for (const type of declared) {
    const listed = listedType(type);
    if (listed !== undefined) return { ok: true, type: listed };
  }
  return { ok: true, type: UNKNOWN_MEDIA_TYPE };
}

/** The file name in a `Content-Disposition` header (`filename*=` preferred), if any. */
export function fileNameFrom(disposition: string | undefined): string | undefined {
  if (disposition === undefined) return undefined;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star?.[1] !== undefined) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim();
}

/** Names Windows reserves whatever their extension (`nul.jpg` opens the null device). */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

const MAX_BASE_LENGTH = 150;

const isAlnum = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) ||
  (code >= 0x41 && code <= 0x5a) ||
  (code >= 0x61 && code <= 0x7a);

/**
 * `name` reduced to a plain file name: its last path segment, every character
 * outside letters, digits, `.`, `-`, `_` and space replaced by `_` (control
 * characters and separators included), without leading or trailing dots and
 * spaces, at most 150 characters, a Windows device name (`CON`, `NUL`, ...)
 * prefixed with `_`; `''` when nothing meaningful is left (no letter or digit
 * before the extension).
 */
export function plainFileName(name: string): string {
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '/' || c === '\\') start = i + 1;
  }
  while (start < name.length && (name[start] === '.' || name[start] === ' ')) start += 1;
  let out = '';
  for (let i = start; i < name.length && out.length < MAX_BASE_LENGTH; i++) {
    const code = name.charCodeAt(i);
    const keep = isAlnum(code) || code === 0x2e || code === 0x2d || code === 0x5f || code === 0x20;
    out += keep ? name[i] : '_';
  }
  let from = 0;
  let to = out.length;
  while (from < to && (out[from] === '.' || out[from] === ' ')) from += 1;
  while (to > from && (out[to - 1] === '.' || out[to - 1] === ' ')) to -= 1;
  const trimmed = out.slice(from, to);
  const lastDot = trimmed.lastIndexOf('.');
  const stem = lastDot === -1 ? trimmed : trimmed.slice(0, lastDot);
  let meaningful = false;
  for (let i = 0; i < stem.length && !meaningful; i++) meaningful = isAlnum(stem.charCodeAt(i));
  if (!meaningful) return '';
  const firstDot = trimmed.indexOf('.');
  const device = firstDot === -1 ? trimmed : trimmed.slice(0, firstDot);
  return RESERVED.test(device.trim()) ? `_${trimmed}` : trimmed;
}

/**
 * The name a download is handed over under: the provider's name made plain
 * ({@link plainFileName}), else `<kind>-<document id>`, always ending in the
 * content type's extension (`passport.html` of a PNG is `passport.html.png`;
 * an unknown type gets `.bin`), so the name never decides how the file is
 * opened or served.
 */
export function downloadFileName(
  given: string | undefined,
  document: Pick<DocumentInfo, 'id' | 'kind'>,
  contentType: string,
): string {
  const extension = ownEntry(DOWNLOAD_MEDIA_TYPES, contentType) ?? 'bin';
  const base =
    plainFileName(given ?? '') || plainFileName(`${document.kind}-${document.id}`) || 'document';
  const dot = base.lastIndexOf('.');
  const current = dot === -1 ? '' : base.slice(dot + 1).toLowerCase();
  const accepted = [extension, ...(ownEntry(OTHER_EXTENSIONS, contentType) ?? [])];
  return accepted.includes(current) ? base : `${base}.${extension}`;
}
