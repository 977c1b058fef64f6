// Moved to @omen/features/change: a diff's duplicates are looked for in the same languages.
export { languageOf, languageRules } from '@omen/features/change';
export type { LanguageId, LanguageRules } from '@omen/features/change';
