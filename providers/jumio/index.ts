/**
 * `idv-providers/jumio`: the Jumio adapter.
 *
 * @packageDocumentation
 */
import {
  ConfigError,
  type IdentityVerificationProvider,
  type JumioOptionsInput,
} from 'idv-providers';

/** Creates the Jumio provider. */
export function jumio(_options: JumioOptionsInput): IdentityVerificationProvider {
  throw new ConfigError('[idv] [jumio] the Jumio adapter is not built yet', { provider: 'jumio' });
}
