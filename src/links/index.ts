export {
  type LinkKey,
  type LinkKeyMaterial,
  MIN_LINK_KEY_BYTES,
  MIN_LINK_KEY_DISTINCT_BYTES,
  MIN_LINK_KEY_ENTROPY_BITS,
} from './keys';
export {
  createLinkSigner,
  DEFAULT_LINK_TTL_SECONDS,
  type ExpectedLinkSession,
  LINK_CLOCK_SKEW_SECONDS,
  type LinkClaims,
  type LinkRevocationCheck,
  type LinkSession,
  type LinkSigner,
  type LinkSignerOptions,
  type LinkSignerSettings,
  type LinkTokenReason,
  type SignedLink,
  withLinkToken,
} from './link-token';
