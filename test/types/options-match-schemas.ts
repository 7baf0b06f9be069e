/**
 * One source for each option: the documented option interfaces are the
 * schemas' input types, and the validated option types are their output.
 * A type error here means an option was added to a schema and not to its
 * documented interface, or the other way round. `npm run typecheck` compiles
 * it; nothing here runs.
 */
import type { CommonOptionsInput } from 'idv-providers';
import type { z } from 'zod';
import type {
  JumioOptions,
  JumioOptionsInput,
  jumioOptionsSchema,
} from '../../providers/jumio/definition';
import type {
  OnfidoOptions,
  OnfidoOptionsInput,
  onfidoOptionsSchema,
} from '../../providers/onfido/definition';
import type { commonOptionsShape } from '../../src/config/common';

/** `true` only when A and B are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const onfidoInput: Equal<OnfidoOptionsInput, z.input<typeof onfidoOptionsSchema>> = true;
export const onfidoOutput: Equal<OnfidoOptions, z.output<typeof onfidoOptionsSchema>> = true;
export const jumioInput: Equal<JumioOptionsInput, z.input<typeof jumioOptionsSchema>> = true;
export const jumioOutput: Equal<JumioOptions, z.output<typeof jumioOptionsSchema>> = true;
/** Onfido authenticates with the API token or OAuth2 client credentials: all three optional, one method checked at run time. */
export const onfidoAuth: Equal<
  Pick<OnfidoOptionsInput, 'apiToken' | 'clientId' | 'clientSecret'>,
  {
    apiToken?: string | undefined;
    clientId?: string | undefined;
    clientSecret?: string | undefined;
  }
> = true;
export const commonInput: Equal<
  CommonOptionsInput,
  z.input<z.ZodObject<typeof commonOptionsShape>>
> = true;
