export {
  createLinkSigner,
  DEFAULT_LINK_TTL_SECONDS,
  type ExpectedLinkSession,
  type LinkClaims,
  type LinkSession,
  type LinkSigner,
  type LinkSignerOptions,
  MIN_LINK_KEY_BYTES,
  withLinkToken,
} from './link-token';
