/**
 * Streams a document from a provider: the URL must be on one of the provider's
 * own hosts, a redirect may only lead to another of them, the body may not
 * grow past the configured size, and a body that stops arriving fails the
 * stream with a `NetworkError` once it has been idle for the idle timeout.
 * Nothing is buffered whole.
 *
 * @module
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import {
  type DocumentDownload,
  type DocumentInfo,
  DownloadRefusedError,
  NetworkError,
  UnexpectedResponseError,
} from 'idv-providers';
import { ownEntry } from '../../shared/own-entry';
import { describeUrl } from '../../shared/redact';
import type { HttpClient } from './client';

/** Settings of {@link downloadStream}. */
export interface DownloadOptions {
  /** Provider name, for errors. */
  provider: string;
  /** Origins (`https://api.eu.onfido.com`) a download URL may be on. */
  allowedOrigins: readonly string[];
  /** Largest body accepted, bytes. */
  maxBytes: number;
  /** Cancels the download. */
  signal?: AbortSignal | undefined;
  /** Redirects followed at most (each to an allowed origin). Default 3. */
  maxRedirects?: number | undefined;
  /**
   * How long the body may go without a byte while the reader wants more,
   * milliseconds; then the stream fails with a `NetworkError`. Default: the
   * request timeout the HTTP client set on the connection (its `timeoutMs`),
   * else {@link DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS}. Time the reader spends not
   * reading does not count.
   */
  idleTimeoutMs?: number | undefined;
}

/** Idle timeout of a download body when neither the caller nor the connection names one (30 s). */
export const DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

/** The idle timeout the HTTP client set on the response's socket (axios sets its `timeout` there). */
function socketTimeout(body: Readable): number | undefined {
  const timeout = (body as Readable & { socket?: { timeout?: unknown } | null }).socket?.timeout;
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0
    ? timeout
    : undefined;
}

/**
 * Fails `limit` with a `NetworkError` when `source` delivers nothing for
 * `idleMs` while it is flowing (a source paused because the reader is not
 * reading is not idle).
 */
function watchIdle(
  source: Readable,
  limit: ByteLimit,
  idleMs: number,
  describe: { provider: string; documentId: string },
): void {
  let last = Date.now();
  const touch = () => {
    last = Date.now();
  };
  source.on('data', touch);
  const timer = setInterval(
    () => {
      if (source.isPaused() || source.readableFlowing === false) {
        touch();
        return;
      }
      if (Date.now() - last < idleMs) return;
      clearInterval(timer);
      limit.destroy(
        new NetworkError(
          `[idv] [${describe.provider}] download of ${describe.documentId} stalled: no data for ${idleMs} ms`,
          { provider: describe.provider, systemCode: 'ETIMEDOUT' },
        ),
      );
    },
    Math.max(5, Math.min(1000, Math.floor(idleMs / 4))),
  );
  timer.unref?.();
  const stop = () => {
    clearInterval(timer);
    source.off('data', touch);
  };
  limit.once('close', stop);
  source.once('end', stop);
  source.once('close', stop);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Throws a {@link DownloadRefusedError} unless `url` is an absolute URL on an allowed origin. */
export function assertAllowedUrl(
  url: string,
  allowedOrigins: readonly string[],
  provider: string,
  reason: 'off_host' | 'redirect_off_host' = 'off_host',
): void {
  const origin = originOf(url);
  if (origin === undefined || !allowedOrigins.includes(origin)) {
    const what = reason === 'off_host' ? 'download URL' : 'download redirected to';
    throw new DownloadRefusedError(
      `[idv] [${provider}] refused ${what} ${JSON.stringify(describeUrl(url))}: not on ${allowedOrigins.join(' or ')}`,
      { provider, reason },
    );
  }
}

/** A pass-through stream that fails with `too_large` once more than `maxBytes` went through. */
export class ByteLimit extends Transform {
  #seen = 0;
  constructor(
    private readonly maxBytes: number,
    private readonly provider: string,
  ) {
    super();
  }
  /** Bytes passed so far. */
  get bytes(): number {
    return this.#seen;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.maxBytes) {
      callback(
        new DownloadRefusedError(
          `[idv] [${this.provider}] download exceeded the limit of ${this.maxBytes} bytes`,
          { provider: this.provider, reason: 'too_large' },
        ),
      );
      return;
    }
    callback(null, chunk);
  }
}

function fileNameFrom(disposition: string | undefined): string | undefined {
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

/** Safe file name: no directories, no control characters. */
function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\w.\- ]+/g, '_').replace(/^\.+/, '');
  return cleaned === '' ? 'document' : cleaned.slice(0, 200);
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
};

/** Downloads one document as a stream. */
export async function downloadStream(
  http: HttpClient,
  document: DocumentInfo,
  options: DownloadOptions,
): Promise<DocumentDownload> {
  const { provider, allowedOrigins } = options;
  let url = document.downloadUrl;
  assertAllowedUrl(url, allowedOrigins, provider);
  const maxRedirects = options.maxRedirects ?? 3;
  for (let hop = 0; ; hop++) {
    const answer = await http.stream({ url, signal: options.signal, headers: { Accept: '*/*' } });
    if (answer.status >= 300 && answer.status < 400) {
      answer.body.destroy();
      const location = answer.headers['location'];
      if (location === undefined || hop >= maxRedirects) {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] download of ${document.id} answered HTTP ${answer.status} without a usable redirect`,
          { provider },
        );
      }
      url = new URL(location, url).toString();
      assertAllowedUrl(url, allowedOrigins, provider, 'redirect_off_host');
      continue;
    }
    const lengthHeader = answer.headers['content-length'];
    const size = lengthHeader === undefined ? undefined : Number.parseInt(lengthHeader, 10);
    if (size !== undefined && Number.isFinite(size) && size > options.maxBytes) {
      answer.body.destroy();
      throw new DownloadRefusedError(
        `[idv] [${provider}] document ${document.id} is ${size} bytes, over the limit of ${options.maxBytes}`,
        { provider, reason: 'too_large' },
      );
    }
    const contentType =
      answer.headers['content-type']?.split(';')[0]?.trim() ||
      document.contentType ||
      'application/octet-stream';
    const limit = new ByteLimit(options.maxBytes, provider);
    answer.body.on('error', (error: unknown) => {
      // The transport's own error carries request headers; pass on a clean one.
      const systemCode = (error as { code?: unknown }).code;
      limit.destroy(
        new NetworkError(`[idv] [${provider}] download of ${document.id} broke off`, {
          provider,
          systemCode: typeof systemCode === 'string' ? systemCode : undefined,
        }),
      );
    });
    limit.on('close', () => {
      if (!answer.body.destroyed) answer.body.destroy();
    });
    const idleMs =
      options.idleTimeoutMs ?? socketTimeout(answer.body) ?? DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS;
    watchIdle(answer.body, limit, idleMs, { provider, documentId: document.id });
    const body = answer.body.pipe(limit);
    const extension = ownEntry(EXTENSIONS, contentType) ?? 'bin';
    const fileName = safeFileName(
      fileNameFrom(answer.headers['content-disposition']) ??
        document.fileName ??
        `${document.kind}-${document.id}.${extension}`,
    );
    return {
      document,
      contentType,
      fileName,
      size: size !== undefined && Number.isFinite(size) ? size : document.size,
      body,
    };
  }
}
