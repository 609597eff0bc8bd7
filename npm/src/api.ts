/** What every entry point exports alike. */
export { OAuthCallbackError, OAuthError, TimeoutError, type ErrorCode } from "./errors.js";
export {
  generatePkce,
  challengeFromVerifier,
  generateState,
  generateNonce,
  buildAuthorizationUrl,
  renderTemplate,
  getRedirectUrl,
  type PkcePair,
  type GeneratePkceOptions,
  type AuthorizationUrlOptions,
  type RedirectUrlOptions,
} from "./protocol.js";
export type { LoopbackListener, LoopbackOptions } from "./listener.js";
export type { CallbackResult, GetAuthCodeOptions, AuthCodeEvent, ServerOptions, CallbackServer } from "./auth-code.js";
export type { BrowserLaunch } from "./launcher.js";
export { inMemoryStore } from "./store/memory.js";
export { bindTokenStore, type BoundTokenStore } from "./store/bound.js";
export { OAuthStoreBrand, type Tokens, type ClientInfo, type TokenStore, type OAuthStore, type StoreEntry } from "./store/types.js";
export type { FileStoreOptions } from "./store/file-options.js";
export {
  discover,
  exchangeCode,
  refreshTokens,
  revokeToken,
  fetchUserInfo,
  type StepOptions,
  type StepClient,
  type ExchangeCodeOptions,
  type RefreshTokensOptions,
  type RevokeTokenOptions,
  type FetchUserInfoOptions,
} from "./client/steps-public.js";
export type { ServerMetadata, IdTokenClaims, UserInfo } from "./client/steps.js";
