import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A configuration value that must never reach logs: every way of turning it into text
 * (template strings, JSON, util.inspect, pino) yields `[redacted]`; only `reveal()` gives the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

const secretNamePattern = /(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|PRIVATE)/i;

/** Whether a variable's name says its value is a credential. */
export function looksSecret(variable: string): boolean {
  return secretNamePattern.test(variable);
}

/**
 * A raw value as it may appear in an error message: secret-looking variables are never
 * echoed, and passwords inside URLs (`redis://:pw@host`) are masked.
 */
export function describeValue(variable: string, raw: string | undefined): string {
  if (raw === undefined) return 'nothing (unset)';
  if (looksSecret(variable)) return `a value of ${raw.length} characters (hidden: secret)`;
  return JSON.stringify(maskUrlPassword(raw));
}

export function maskUrlPassword(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]+@/i, '$1:***@');
}
