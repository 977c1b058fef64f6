export { ROLES, METHOD_ROLES, AUDITED_METHODS, isRole, grants } from './roles.ts';
export type { Role } from './roles.ts';
export { createAuthenticator, parseBearer } from './credentials.ts';
export type { Principal, JwtOptions, AuthenticatorOptions, AuthOutcome, Authenticator } from './credentials.ts';
