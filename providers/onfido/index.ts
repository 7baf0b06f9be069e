/**
 * `idv-providers/onfido`: the Onfido adapter.
 *
 * @packageDocumentation
 */
import {
  ConfigError,
  type IdentityVerificationProvider,
  type OnfidoOptionsInput,
} from 'idv-providers';

/** Creates the Onfido provider. */
export function onfido(_options: OnfidoOptionsInput): IdentityVerificationProvider {
  throw new ConfigError('[idv] [onfido] the Onfido adapter is not built yet', {
    provider: 'onfido',
  });
}
