// Moved to @omen/features/change: inference scans a diff's added lines with the same rules.
export { scanLines, securityRules } from '@omen/features/change';
export type { SecurityHit } from '@omen/features/change';
