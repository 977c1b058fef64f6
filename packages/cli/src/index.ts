export type { Command } from './command.ts';
export { UsageError } from './command.ts';
