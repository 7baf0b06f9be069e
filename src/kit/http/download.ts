/**
 * Streams a document from a provider: the URL must be on one of the provider's
 * own hosts, a redirect may only lead to another of them, the body may not
 * grow past the configured size, and a body that stops arriving fails the
 * stream with a `NetworkError` once it has been idle for the idle timeout.
 * Nothing is buffered whole.
 *
 * The content type comes from the first bytes, not from the provider's word
 * (see `media-type.ts`): a known image, PDF or video signature names the type;
 * markup (HTML, SVG, XML) is refused; anything else keeps the provider's type
 * when it is an image, PDF or video type, and is `application/octet-stream`
 * otherwise. The file name is always a plain name ending in the type's
 * extension, never blank.
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
import { describeUrl } from '../../shared/redact';
import type { HttpClient } from './client';
import { downloadFileName, fileNameFrom, mediaTypeOf, SNIFF_BYTES } from './media-type';

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

/**
 * A {@link ByteLimit} that holds back the body's first {@link SNIFF_BYTES}
 * bytes (or all of a shorter body) until `head` has them, so the content type
 * is decided from the bytes before the download is handed over. Nothing is
 * lost: the held bytes are the first the reader gets.
 */
class SniffedBody extends ByteLimit {
  /** The first bytes; rejects with the error that ended the body before them. */
  readonly head: Promise<Buffer>;
  #resolve: (head: Buffer) => void = () => {};
  #reject: (error: unknown) => void = () => {};
  #held: Buffer[] = [];
  #heldBytes = 0;
  #released = false;

  constructor(
    maxBytes: number,
    private readonly owner: { provider: string; documentId: string },
  ) {
    super(maxBytes, owner.provider);
    this.head = new Promise<Buffer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Awaited by downloadStream; an early end must not be an unhandled rejection meanwhile.
    this.head.catch(() => {});
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    super._transform(chunk, encoding, (error, data?: Buffer) => {
      if (error) {
        callback(error);
        return;
      }
      if (this.#released || data === undefined) {
        callback(null, data);
        return;
      }
      this.#held.push(data);
      this.#heldBytes += data.length;
      if (this.#heldBytes >= SNIFF_BYTES) this.#release();
      callback();
    });
  }

  override _flush(callback: TransformCallback): void {
    this.#release();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#released) {
      this.#released = true;
      this.#held = [];
      this.#reject(
        error ??
          new NetworkError(
            `[idv] [${this.owner.provider}] download of ${this.owner.documentId} closed before its first bytes`,
            { provider: this.owner.provider },
          ),
      );
    }
    super._destroy(error, callback);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    const head = Buffer.concat(this.#held);
    this.#held = [];
    if (head.length > 0) this.push(head);
    this.#resolve(head);
  }
}

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
      try {
        url = new URL(location, url).toString();
      } catch {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] download of ${document.id} answered HTTP ${answer.status} with a Location that is not a URL`,
          { provider },
        );
      }
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
    const limit = new SniffedBody(options.maxBytes, { provider, documentId: document.id });
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
    // Until the caller reads the body, an error of the body (over the limit, broken off) is
    // kept in the stream's state, where a read (for await, pipeline) reports it, instead of
    // being thrown with no listener while the caller has not yet been handed the body.
    const held = (): void => {};
    limit.on('error', held);
    const body = answer.body.pipe(limit);
    const handOver = (event: string | symbol): void => {
      if (event !== 'error' && event !== 'data' && event !== 'readable') return;
      limit.off('error', held);
      limit.off('newListener', handOver);
    };
    limit.on('newListener', handOver);
    const head = await limit.head;
    const media = mediaTypeOf(head, [answer.headers['content-type'], document.contentType]);
    if (!media.ok) {
      limit.destroy();
      throw new DownloadRefusedError(
        `[idv] [${provider}] refused document ${document.id}: its first bytes are ${media.found}, not an image, a PDF or a video`,
        { provider, reason: 'unsupported_type' },
      );
    }
    const contentType = media.type;
    const fileName = downloadFileName(
      fileNameFrom(answer.headers['content-disposition']) ?? document.fileName,
      document,
      contentType,
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
