/**
 * Small, valid PNG images for the emulator to serve as document parts and
 * selfies: each one different (drawn from a seed), so a hash check proves the
 * right bytes arrived.
 *
 * @module
 */
import { generatePng as pngImage } from '../../../src/testing/png';

/** A `size`×`size` RGB PNG whose pixels are derived from `seed`. */
export function generatePng(seed: string, size = 16): Uint8Array {
  return pngImage(seed, size, size, 'jumio-emulator');
}
