/**
 * The bounded body reader shared by the Web handler and the node:http adapter:
 * a declared `Content-Length` over the limit is refused before any byte is
 * read, and a body without one is collected chunk by chunk and given up as soon
 * as it passes the limit. A body is never read whole before its size is known.
 *
 * @module
 */

/** Default largest webhook body, bytes (1 MiB). Provider webhooks are a few KiB at most. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What reading a body gave: its bytes, or the news that it is over the limit. */
export type BodyReadResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' };

/**
 * Collects chunks up to a byte limit. {@link push} returns `false` once the
 * total passes the limit; the collected chunks are then dropped.
 */
export class BoundedCollector {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #over = false;

  /** @param limit - Largest total accepted, bytes. */
  constructor(readonly limit: number) {}

  /** Bytes collected so far. */
  get size(): number {
    return this.#size;
  }

  /** Adds a chunk; `false` when the total is now over the limit. */
  push(chunk: Uint8Array): boolean {
    if (this.#over) return false;
    this.#size += chunk.byteLength;
    if (this.#size > this.limit) {
      this.#over = true;
      this.#chunks = [];
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  /** The collected bytes as one buffer. */
  bytes(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    return Buffer.concat(this.#chunks, this.#size);
  }
}

/**
 * Reads a declared `Content-Length`. `undefined` when absent; `NaN` when present
 * but not a non-negative integer.
 */
export function declaredLength(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Reads a Web `ReadableStream` body within `limit` bytes, cancelling it once
 * over, or when `signal` aborts (a deadline passed).
 */
export async function readWebBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  signal?: AbortSignal,
): Promise<BodyReadResult> {
  const collector = new BoundedCollector(limit);
  if (body === null) return { ok: true, bytes: collector.bytes() };
  const reader = body.getReader();
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { ok: true, bytes: collector.bytes() };
      if (!collector.push(value)) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: 'too_large' };
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}
