// Moved to @omen/features/change: inference computes the `fix` feature from a diff's message too.
export { closedIssues, isFixMessage, referencedIssues } from '@omen/features/change';
