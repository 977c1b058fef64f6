/**
 * Caller-supplied text inside messages, logs and metadata. A caller controls ids and names, so
 * an echo of them must not be able to forge lines (newlines, NUL), reorder what a reader sees
 * (bidi overrides), hide itself (zero-width characters) or grow a status past the size a
 * client accepts (grpc-js refuses trailers over 8 KiB by default).
 */

/** How many characters of one caller value an error message repeats. */
export const MAX_ECHOED_CHARS = 128;

/** How long a status message may get in total, whatever it echoes. */
export const MAX_MESSAGE_CHARS = 1024;

// C0/C1 controls and DEL; bidi embeddings, overrides and isolates; zero-width and invisible
// formatting characters; the BOM; noncharacters U+FFFE/U+FFFF; line/paragraph separators.
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff0-\uffff]/u;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  // A lone surrogate is a single UTF-16 unit that no UTF-8 encoder can carry.
  if (ch.length === 1 && cp >= 0xd800 && cp <= 0xdfff) return `\\u{${cp.toString(16)}}`;
  if (!INVISIBLE.test(ch)) return ch;
  return NAMED[ch] ?? `\\u{${cp.toString(16)}}`;
}

/**
 * `value` with every control, bidi, invisible and unpaired-surrogate character written as an
 * escape (`\n`, `\u{202e}`) and a backslash doubled, so what a reader sees is what was sent;
 * cut after `max` characters with the length of the rest. @param max @default MAX_ECHOED_CHARS
 */
export function escapeText(value: string, max = MAX_ECHOED_CHARS): string {
  let out = '';
  let count = 0;
  // Iterating a string yields code points; a lone surrogate comes out as itself.
  for (const ch of value) {
    if (count === max) {
      const rest = [...value].length - max;
      return `${out}…(+${rest} chars)`;
    }
    out += ch === '\\' ? '\\\\' : escapeChar(ch);
    count++;
  }
  return out;
}

/** A caller value ready for a message: escaped, truncated and in double quotes (`"run-\u{202e}x"`). */
export function quote(value: unknown, max = MAX_ECHOED_CHARS): string {
  return `"${escapeText(String(value), max).replace(/"/g, '\\"')}"`;
}

/**
 * A whole message made safe to send: every invisible or control character escaped (messages
 * are one line) and the length capped. The last line of defence for a message that echoed a
 * caller value without `quote`; backslashes stay as written so messages already escaped read the same.
 */
export function safeMessage(message: string, max = MAX_MESSAGE_CHARS): string {
  let out = '';
  let count = 0;
  for (const ch of message) {
    if (count === max) return `${out}…(truncated)`;
    out += escapeChar(ch);
    count++;
  }
  return out;
}

// Bytes a non-binary gRPC metadata value may hold as they are (printable ASCII), minus '%'.
const METADATA_PLAIN = /^[\x20-\x24\x26-\x7e]*$/;

/**
 * A caller value as a legal non-binary gRPC metadata value: printable ASCII stays readable,
 * everything else (and '%') is percent-encoded from UTF-8. Unpaired surrogates become U+FFFD,
 * since UTF-8 has no form for them. `decodeMetadataValue` reverses it.
 */
export function encodeMetadataValue(value: string, max = MAX_ECHOED_CHARS): string {
  const cut = [...value.slice(0, max * 2)].slice(0, max).join('');
  if (METADATA_PLAIN.test(cut)) return cut;
  let out = '';
  for (const byte of new TextEncoder().encode(cut)) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of `encodeMetadataValue`; a value that is not valid percent-encoding comes back unchanged. */
export function decodeMetadataValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
