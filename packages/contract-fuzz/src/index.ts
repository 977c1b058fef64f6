/**
 * The contract fuzzer: every RPC declared in protos/ and ingest's webhooks, called with hostile
 * input against the six services running as their own processes on the dev stack.
 *
 *   const mesh = await startMesh();
 *   const report = await fuzzMesh(mesh, { casesPerMethod: 20, seed: 11 });
 *   expect(formatFailures(report.failures)).toBe('');
 *   await mesh.restart({ requireAuth: true });               // every method behind a credential
 *   expect(formatFailures((await fuzzAuth(mesh, { seed: 11 })).failures)).toBe('');
 *   await mesh.stop();
 */
export { contractMethods, protoFilesUnder } from './descriptors.ts';
export type { ContractMethod } from './descriptors.ts';
export {
  HOSTILE_STRINGS,
  HUGE_REPEATED,
  caseBytes,
  describeCase,
  encodeRequest,
  hostileString,
  messageArbitrary,
  requestCases,
} from './values.ts';
export type { MessageArbitraryOptions, RequestCase } from './values.ts';
export { MESH_SERVICES, rawClient, startMesh } from './mesh.ts';
export type { Mesh, MeshService, MeshServiceName } from './mesh.ts';
export { ALLOWED_CODES, callRaw, formatFailures, fuzzAuth, fuzzMesh, problemsOf } from './grpc-fuzz.ts';
export type { CallOutcome, Failure, FuzzOptions, FuzzReport, MethodReport } from './grpc-fuzz.ts';
export { CREDENTIALS, authProblemsOf, credentialHeaders, credentialMetadata, expectedAuth } from './credentials.ts';
export type { AuthExpectation, Credential, CredentialHeaders } from './credentials.ts';
export { fuzzWebhooks, webhookCases } from './webhook-fuzz.ts';
export type { WebhookFailure, WebhookReport } from './webhook-fuzz.ts';
