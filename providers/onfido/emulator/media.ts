/**
 * Small, valid binary files the emulator serves where Onfido serves media it
 * made itself: a check's PDF, a video's frame (JPEG), a video file, and the
 * face read from an NFC chip. Each derives from a seed, so different ids give
 * different bytes and a hash check proves the right file arrived.
 *
 * @module
 */
import { generatePng, seedOf } from 'idv-providers/emulator-kit';

/**
 * A small video file: an ISO base media `ftyp` box (`qt  ` for a live video,
 * `isom` for a motion capture), then deterministic bytes.
 */
export function sampleVideo(seed: string, brand: 'qt  ' | 'isom'): Uint8Array {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftyp', 4, 'latin1');
  ftyp.write(brand, 8, 'latin1');
  ftyp.write(`${brand}mp41`, 16, 'latin1');
  return Buffer.concat([ftyp, generatePng(seed, 48, 32, 'onfido-emulator-video')]);
}

/** Canonical Huffman codes from a JPEG table's counts per length and its symbols. */
function huffmanCodes(
  counts: readonly number[],
  symbols: readonly number[],
): Map<number, [code: number, length: number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  counts.forEach((count, i) => {
    for (let n = 0; n < count; n++) codes.set(symbols[k++] as number, [code++, i + 1]);
    code <<= 1;
  });
  return codes;
}

/** The luminance DC table of the JPEG standard (ITU T.81, Annex K.3): categories 0 to 11. */
const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** An AC table with the one symbol the frames use: end of block, code `00`. */
const AC_COUNTS = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_SYMBOLS = [0];

/** Writes bits most significant first, stuffing a 0x00 after every 0xFF (T.81 F.1.2.3). */
class BitWriter {
  readonly bytes: number[] = [];
  #value = 0;
  #count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#value = (this.#value << 1) | ((value >>> i) & 1);
      this.#count += 1;
      if (this.#count === 8) this.#flush();
    }
  }

  /** Pads the last byte with 1 bits. */
  end(): number[] {
    while (this.#count !== 0) this.write(1, 1);
    return this.bytes;
  }

  #flush(): void {
    this.bytes.push(this.#value);
    if (this.#value === 0xff) this.bytes.push(0);
    this.#value = 0;
    this.#count = 0;
  }
}

const segment = (marker: number, body: readonly number[]): number[] => [
  0xff,
  marker,
  ((body.length + 2) >> 8) & 0xff,
  (body.length + 2) & 0xff,
  ...body,
];

/**
 * A valid baseline JPEG (JFIF) of `width` x `height` grey pixels, made of flat
 * 8x8 blocks whose shades derive from `seed`: what Onfido's frame endpoints
 * serve (`image/jpeg` with `JFIF` in its first bytes,
 * docs/provider-facts.md#o-med-3). Each block is coded by its DC coefficient
 * alone (quantisation 1, AC end of block), which is exact for a flat block.
 */
export function sampleJpeg(seed: string, width = 64, height = 48): Uint8Array {
  const base = seedOf(seed);
  const columns = Math.ceil(width / 8);
  const rows = Math.ceil(height / 8);
  const dc = huffmanCodes(DC_COUNTS, DC_SYMBOLS);
  const ac = huffmanCodes(AC_COUNTS, AC_SYMBOLS);
  const bits = new BitWriter();
  let previous = 0;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < columns; bx++) {
      const shade = (((base >>> ((bx + by) % 24)) & 0x7f) + bx * 9 + by * 13) & 0xff;
      // A flat block's DC coefficient is 8 × its level-shifted value.
      const coefficient = 8 * (shade - 128);
      const diff = coefficient - previous;
      previous = coefficient;
      const magnitude = Math.abs(diff);
      const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
      const [code, length] = dc.get(category) as [number, number];
      bits.write(code, length);
      if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
      const [eob, eobLength] = ac.get(0) as [number, number];
      bits.write(eob, eobLength);
    }
  }
  const bytes = [
    0xff,
    0xd8,
    // APP0 JFIF 1.01, no thumbnail.
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    // One quantisation table of 1s.
    ...segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    // Baseline frame: 8 bits, one component, no subsampling.
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_COUNTS, ...DC_SYMBOLS]),
    ...segment(0xc4, [0x10, ...AC_COUNTS, ...AC_SYMBOLS]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...bits.end(),
    0xff,
    0xd9,
  ];
  return Uint8Array.from(bytes);
}

/** Escapes text for a PDF string literal. */
const pdfText = (value: string): string =>
  value.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * A small valid PDF (one A4 page, Helvetica, the given lines of text), with a
 * correct cross-reference table: what `GET /checks/{id}/download` serves
 * (`application/pdf`, starting with `%PDF-`: docs/provider-facts.md#o-chk-6).
 */
export function samplePdf(title: string, lines: readonly string[]): Uint8Array {
  const text = [title, '', ...lines]
    .map(
      (line, i) => `BT /F1 ${i === 0 ? 16 : 11} Tf 56 ${780 - i * 18} Td (${pdfText(line)}) Tj ET`,
    )
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    `<< /Title (${pdfText(title)}) /Producer (idv-providers Onfido emulator) >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * True when an uploaded document is NFC chip data: a JSON object holding the
 * chip's security object `sod` as an array of bytes, as Onfido's own tests
 * upload it through `POST /documents` (docs/provider-facts.md#o-doc-5).
 */
export function isNfcData(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.length > 2 * 1024 * 1024) return false;
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const sod = (value as Record<string, unknown>)['sod'];
    return Array.isArray(sod) && sod.length > 0 && sod.every((b) => Number.isInteger(b));
  } catch {
    return false;
  }
}

/** The face image read from a document's NFC chip (`image/png`, docs/provider-facts.md#o-doc-5). */
export function nfcFace(documentId: string): Uint8Array {
  return generatePng(`${documentId}:nfc-face`, 40, 52, 'onfido-emulator-nfc-face');
}
