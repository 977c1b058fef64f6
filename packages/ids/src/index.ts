/**
 * The grammar and length of every id and name omen accepts, one owner for all services:
 *
 *   checkRepoId(req.repo_id);                   // github:owner/name, gitlab:group/…/project, git:name
 *   checkSha(req.sha);                          // 40 or 64 lower-case hex
 *   checkName(req.model_name, 'model_name');    // model names, versions, aliases
 *   checkId(req.experiment_id, 'experiment_id') // experiment, run and request ids
 *
 * Each throws INVALID_ARGUMENT naming the field, with the value escaped and cut short.
 */
export {
  ID_LIMITS,
  checkId,
  checkName,
  checkRepoId,
  checkSha,
  isFullSha,
  isName,
  isShaPrefix,
  repoIdProblem,
  shown,
} from './ids.ts';
