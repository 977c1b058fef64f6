import { z } from 'zod';
import { isFullSha } from '@omen/ids';

/**
 * One line per problem, naming the JSON path: `pull_request.head.sha: expected string, received
 * undefined`. At most `max` problems, so a payload that is wrong everywhere still gets a short
 * answer.
 */
export function describeZodError(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.length === 0 ? '(payload)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  const more = error.issues.length - lines.length;
  return more > 0 ? `${lines.join('; ')}; and ${more} more` : lines.join('; ');
}

// GitHub sends ISO 8601 (`2019-05-15T15:20:41Z`, `...+02:00`); GitLab sends ISO 8601 or its
// older `2017-09-15 16:52:00 UTC`. Date.parse alone accepts far more (`"1"` is the year 2001),
// so the shape is checked first.
const timePattern = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|UTC|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of an SCM timestamp, or undefined when it is not one. */
export function parseScmTime(value: string): number | undefined {
  const m = timePattern.exec(value.trim());
  if (!m) return undefined;
  const [, date, time, zone] = m;
  let tz = zone === 'UTC' || zone === 'Z' ? 'Z' : (zone ?? 'Z');
  if (/^[+-]\d{4}$/.test(tz)) tz = `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const ms = Date.parse(`${date}T${time}${tz}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A zod schema for an SCM timestamp string, output as epoch milliseconds. */
export const scmTime = z.string().transform((value, ctx) => {
  const ms = parseScmTime(value);
  if (ms === undefined) {
    ctx.issues.push({
      code: 'custom',
      message: `expected an ISO 8601 timestamp, got "${value.slice(0, 40)}"`,
      input: value,
    });
    return z.NEVER;
  }
  return ms;
});

/**
 * A full commit sha (40 or 64 hex digits) as an SCM sends it, normalised to the lower case that
 * every omen id uses (@omen/ids isFullSha).
 */
export const fullSha = z
  .string()
  .transform((s) => s.toLowerCase())
  .refine(isFullSha, 'expected a full commit sha (40 or 64 hex digits)');

/** Git's all-zero sha: the `before` of a branch creation, the `after` of a deletion. */
export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

/** Drops trailing line breaks so one commit reads the same from a webhook, an API and `git log`. */
export function normaliseMessage(message: string): string {
  return message.replace(/[\r\n]+$/, '');
}
