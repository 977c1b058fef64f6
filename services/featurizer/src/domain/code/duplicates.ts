// Moved to @omen/features/change: inference finds duplicates in a diff with the same rule.
export { DUPLICATE_WINDOW, findDuplicates } from '@omen/features/change';
export type { DuplicateStats } from '@omen/features/change';
