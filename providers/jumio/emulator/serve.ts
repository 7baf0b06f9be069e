/**
 * How the command line's `emulator` command serves the Jumio emulator over
 * HTTP: its auth, account, retrieval, status and Netverify hosts under
 * `/jumio/...` of the server's origin, and its own control requests under
 * `/jumio/_control` (./control.ts), with a fixed fake client id and secret by
 * default (so a backend's settings survive a restart). Jumio's rate limits
 * apply on real time unless `--jumio-no-rate-limits` is given.
 *
 * @module
 */
import { envVarName } from 'idv-providers';
import type { EmulatorServing } from 'idv-providers/emulator-kit';
import type { JumioEmulator, JumioEmulatorOptions } from './index';

/** The fake client credentials the served emulator accepts unless told others. */
export const JUMIO_SERVED_CREDENTIALS = {
  clientId: 'idv-emulator-jumio-client-id',
  clientSecret: 'idv-emulator-jumio-client-secret',
} as const;

/** The paths of the served hosts. */
const PATHS = {
  auth: '/jumio/auth',
  account: '/jumio/account',
  retrieval: '/jumio/retrieval',
  netverify: '/jumio/netverify',
  status: '/jumio/status',
  control: '/jumio/_control',
} as const;

/**
 * The serving part of the Jumio emulator entry. `create` is the emulator's
 * factory (passed in, so this file and the entry do not import each other).
 */
export function jumioServing(
  create: (options: JumioEmulatorOptions) => JumioEmulator,
): EmulatorServing {
  return {
    displayName: 'Jumio',
    title: 'Jumio (KYX, and Netverify in legacy mode)',
    flags: [
      {
        name: 'client-id',
        value: '<id>',
        description: 'the client id Jumio accepts (default: a fixed fake one)',
      },
      {
        name: 'client-secret',
        value: '<s>',
        description: 'the client secret Jumio accepts (default: a fixed fake one)',
      },
      {
        name: 'no-rate-limits',
        value: '',
        boolean: true,
        description: [
          "turn off Jumio's rate limits (default on: tokens 10/s, accounts",
          '1/s with bursts of 5, retrieval 15/s, each answered 429 above)',
        ],
      },
    ],
    mounts: [
      { label: 'Jumio OAuth2', path: PATHS.auth },
      { label: 'Jumio account', path: PATHS.account },
      { label: 'Jumio retrieval', path: PATHS.retrieval },
      { label: 'Jumio health check', path: PATHS.status },
      {
        label: 'Jumio controls',
        path: PATHS.control,
        note: '(expire, acquire, capture, rate-limits)',
      },
      { label: 'Jumio Netverify', path: PATHS.netverify, note: '(legacy mode)' },
    ],
    deliveries: "Jumio's callbackUrl from the account request",
    journey: 'Jumio then finishes processing and sends its callback',
    serve({ origin, clock, deliver, flags }) {
      const urls = {
        auth: `${origin}${PATHS.auth}`,
        account: `${origin}${PATHS.account}`,
        retrieval: `${origin}${PATHS.retrieval}`,
        netverify: `${origin}${PATHS.netverify}`,
        status: `${origin}${PATHS.status}`,
      };
      const control = `${origin}${PATHS.control}`;
      const rateLimits = flags['no-rate-limits'] !== 'true';
      const emulator = create({
        clientId: flags['client-id'] ?? JUMIO_SERVED_CREDENTIALS.clientId,
        clientSecret: flags['client-secret'] ?? JUMIO_SERVED_CREDENTIALS.clientSecret,
        baseUrls: urls,
        clock,
        deliver,
        rateLimits,
        controlBaseUrl: control,
      });
      return {
        emulator,
        info: {
          authBaseUrl: urls.auth,
          accountBaseUrl: urls.account,
          retrievalBaseUrl: urls.retrieval,
          netverifyBaseUrl: urls.netverify,
          statusUrl: urls.status,
          controlBaseUrl: control,
          rateLimits,
          clientId: emulator.clientId,
          clientSecret: emulator.clientSecret,
        },
        banner: [
          ['auth', urls.auth],
          ['account', urls.account],
          ['retrieval', urls.retrieval],
          ['health check', urls.status],
          ['controls', control],
          ['rate limits', rateLimits ? 'on (--jumio-no-rate-limits turns them off)' : 'off'],
          ['netverify', urls.netverify],
          ['client id', emulator.clientId],
          ['client secret', emulator.clientSecret],
        ],
        environment: [
          ['authBaseUrl', urls.auth],
          ['accountBaseUrl', urls.account],
          ['retrievalBaseUrl', urls.retrieval],
          ['netverifyBaseUrl', urls.netverify],
          ['clientId', emulator.clientId],
          ['clientSecret', emulator.clientSecret],
          // Its callbacks come from this machine, not from Jumio's published addresses.
          ['verifyCallbackSource', 'off'],
        ],
        note: `Jumio calls back the callbackUrl of each transaction (${envVarName('jumio', 'callbackUrl')})`,
      };
    },
  };
}
