// Original file: protos/omen/ingest/v1/ingest.proto

export const ScmProvider = {
  SCM_PROVIDER_UNSPECIFIED: 'SCM_PROVIDER_UNSPECIFIED',
  SCM_PROVIDER_GITHUB: 'SCM_PROVIDER_GITHUB',
  SCM_PROVIDER_GITLAB: 'SCM_PROVIDER_GITLAB',
  /**
   * A plain git remote or mirror.
   */
  SCM_PROVIDER_GIT: 'SCM_PROVIDER_GIT',
  SCM_PROVIDER_OTHER: 'SCM_PROVIDER_OTHER',
} as const;

export type ScmProvider =
  | 'SCM_PROVIDER_UNSPECIFIED'
  | 0
  | 'SCM_PROVIDER_GITHUB'
  | 1
  | 'SCM_PROVIDER_GITLAB'
  | 2
  /**
   * A plain git remote or mirror.
   */
  | 'SCM_PROVIDER_GIT'
  | 3
  | 'SCM_PROVIDER_OTHER'
  | 4

export type ScmProvider__Output = typeof ScmProvider[keyof typeof ScmProvider]
