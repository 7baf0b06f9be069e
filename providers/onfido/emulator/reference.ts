/**
 * The references the emulator is held to, as types: the models of Onfido's
 * official client `@onfido/api` (generated from Onfido's OpenAPI
 * specification: docs/provider-facts.md#o-src-1), and the few ways the API is
 * seen to differ from them. The emulator's answers are typed with these, so
 * `tsc` fails when the emulator drifts from the reference.
 *
 * `@onfido/api` is a development dependency: only types are imported (erased
 * from the build), and no exported declaration of the emulator's entry names
 * them.
 *
 * @module
 */
import type { DocumentTypes } from '@onfido/api';

/**
 * The values of a client enum the spec defines: the generator adds the member
 * `UnknownDefaultOpenApi: "11184809"`, which the API never sends
 * (docs/provider-facts.md#o-src-3).
 */
export type SpecValues<T> = Exclude<T, '11184809'>;

/**
 * `T` with the fields `K` always present, and also `null`: the sandbox sends
 * `null` for these although the spec does not mark them nullable (each use
 * cites the fact).
 */
export type SentWithNull<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: T[P] | null };

/**
 * `true` when a list holds every value of `All`, else the missing values: a
 * constant typed with it fails to compile when the spec gains a value the
 * emulator does not know.
 */
export type Complete<All, Listed> = [Exclude<All, Listed>] extends [never]
  ? true
  : { missing: Exclude<All, Listed> };

/** The sub-breakdown keys of a breakdown entry type (`{result, breakdown?: {...}}`). */
export type SubKeys<E> = E extends { breakdown?: infer B } ? keyof NonNullable<B> & string : never;

/**
 * A breakdown table for a report kind: every top-level key of the kind's
 * breakdown type, each with sub-breakdown keys of that type only.
 */
export type BreakdownTable<B> = {
  readonly [K in keyof Required<B>]: readonly SubKeys<NonNullable<B[K]>>[];
};

/** `true` when every top-level key of the table lists every sub-breakdown key of the type. */
export type EverySubKey<B, T extends BreakdownTable<B>> = {
  [K in keyof Required<B>]: Complete<SubKeys<NonNullable<B[K]>>, T[K][number]>;
}[keyof Required<B>] extends true
  ? true
  : {
      missing: {
        [K in keyof Required<B>]: Exclude<SubKeys<NonNullable<B[K]>>, T[K][number]>;
      };
    };

/**
 * Document types: the client's, and the two the spec added after it
 * (docs/provider-facts.md#o-src-2, #o-doc-4).
 */
export type SpecDocumentType = SpecValues<DocumentTypes> | 'diplomatic_id' | 'travel_document';

/**
 * A value a test chose for the emulator to send (a report result, a
 * `sub_result`, a run status), which may lie outside the spec on purpose, to
 * exercise the adapter's fail-closed reading of values it has not seen. The one
 * place such values enter the typed records; the emulator's own values are
 * checked against the spec's enums.
 */
export function chosenValue<T extends string>(value: string): T {
  return value as T;
}
