export { ROLES, METHOD_ROLES, AUDITED_METHODS, isRole, grants } from './roles.ts';
export type { Role } from './roles.ts';
export { AUTH_REFUSAL_REASONS, createAuthenticator, parseBearer } from './credentials.ts';
export type {
  Principal,
  JwtOptions,
  AuthenticatorOptions,
  AuthOutcome,
  AuthRefusalReason,
  Authenticator,
} from './credentials.ts';
