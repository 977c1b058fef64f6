export { checkManifests, checkCompose, checkKubernetes, consumersByTopic, SERVICES, ENGINE_VARIABLES } from './check.ts';
