/**
 * Runs the example ATM server against the provider the environment names:
 *
 *   IDV_PROVIDER=onfido IDV_ONFIDO_API_TOKEN=... IDV_ONFIDO_WEBHOOK_TOKEN=... \
 *   IDV_ONFIDO_VERIFICATION_SITE_URL=https://cas.example.com/verify \
 *   IDV_LINK_KEY=$(openssl rand -base64 48) CAS_OPERATOR_KEY=... CAS_PUBLIC_URL=https://cas.example.com \
 *   CAS_COUNTRY_OF_RESIDENCE=GBR \
 *   npx tsx examples/cas-backend/main.ts
 *
 * With real credentials it talks to the real provider; put it behind TLS (see
 * the README's NGINX example) so the provider can reach its webhook route.
 */
import {
  configFromEnv,
  createLinkSigner,
  createProvider,
  createSqliteStore,
  isIdvError,
} from 'idv-providers';
import { createCasBackend } from './server';
import { LoggingSmsSender } from './sms';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`[cas] environment variable ${name} is required`);
    process.exit(2);
  }
  return value;
}

try {
  const provider = await createProvider(configFromEnv());
  const backend = createCasBackend({
    provider,
    links: createLinkSigner({ key: required('IDV_LINK_KEY') }),
    store: await createSqliteStore({ path: process.env['CAS_EVENTS_DB'] ?? './cas-events.sqlite' }),
    sms: new LoggingSmsSender(),
    publicUrl: process.env['CAS_PUBLIC_URL'],
    operatorKey: required('CAS_OPERATOR_KEY'),
    // Where the ATMs stand: the customers' country of residence (Onfido requires one).
    countryOfResidence: process.env['CAS_COUNTRY_OF_RESIDENCE'],
  });
  const url = await backend.listen(
    Number(process.env['PORT'] ?? 7743),
    process.env['HOST'] ?? '127.0.0.1',
  );
  console.log(`[cas] listening on ${url} with ${provider.name}`);
} catch (error) {
  console.error(isIdvError(error) ? error.message : error);
  process.exit(1);
}
