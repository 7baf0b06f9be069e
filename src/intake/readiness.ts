/**
 * Failing at start-up rather than at the first webhook: what the intake asks a
 * provider before it takes its first delivery.
 *
 * `createWebhookHandler` needs what verifying a webhook needs (`webhooks`),
 * `createProcessor` what fetching results needs (`results`); both ask the
 * provider's {@link IdentityVerificationProvider.readiness} when they are
 * created and throw a `ConfigError` naming the option (an Onfido intake
 * without `webhookToken` would otherwise start, then answer every webhook 500
 * while Onfido retries). {@link checkReady} is the `ready()` step a host runs
 * at boot: the same check, then the provider's `checkConnection()`.
 *
 * @module
 */
import { ConfigError } from '../errors';
import type {
  CallOptions,
  ConnectionCheck,
  IdentityVerificationProvider,
  ProviderUse,
  ReadinessProblem,
} from '../provider';

/** The problems a provider reports for `uses` (none when it has no `readiness`). */
export function readinessProblems(
  provider: IdentityVerificationProvider,
  uses: readonly ProviderUse[],
): ReadinessProblem[] {
  const answer = provider.readiness?.();
  if (answer === undefined) return [];
  return answer.problems.filter((problem) => uses.includes(problem.use));
}

/**
 * Throws a `ConfigError` when `provider` lacks something `uses` need; `what`
 * names the part asking (`createWebhookHandler`).
 */
export function assertReadyFor(
  provider: IdentityVerificationProvider,
  uses: readonly ProviderUse[],
  what: string,
): void {
  const problems = readinessProblems(provider, uses);
  const first = problems[0];
  if (first === undefined) return;
  const rest = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new ConfigError(
    `[idv] [intake] ${what}: the ${provider.name} provider is not ready for ${first.use}: ${first.message}${rest}`,
    { provider: provider.name, option: first.option },
  );
}

/** What {@link checkReady} found for one provider. */
export interface ProviderReady {
  /** The provider's name. */
  provider: string;
  /** The tenant whose provider it is, when the check was for a tenant (`ready()` with `tenants`). */
  tenant?: string | undefined;
  /** The uses checked. */
  uses: ProviderUse[];
  /** What `checkConnection()` answered. */
  connection: ConnectionCheck;
}

/**
 * The boot-time check: `provider`'s configuration for `uses` (a `ConfigError`
 * as `createWebhookHandler` and `createProcessor` throw it), then its
 * `checkConnection()` (rejecting with the provider's error: credentials
 * refused, unreachable, ...).
 *
 * @example
 * ```ts
 * await checkReady(idv, ['webhooks', 'results']); // before server.listen()
 * ```
 */
export async function checkReady(
  provider: IdentityVerificationProvider,
  uses: readonly ProviderUse[] = ['start', 'webhooks', 'results'],
  options: CallOptions = {},
): Promise<ProviderReady> {
  assertReadyFor(provider, uses, 'ready()');
  const connection = await provider.checkConnection(options);
  return { provider: provider.name, uses: [...uses], connection };
}
