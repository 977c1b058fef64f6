// Security patterns in added lines, one rule id each (the ids of @omen/features'
// securityRuleIds). Line-level regular expressions, on purpose: they run on any text file
// (a secret in a YAML file matters as much as in code) and on the lines a change adds, where
// a review bot should point. They are signals for the risk model, not a SAST verdict.

import type { SecurityRuleId } from '../sets.ts';
import { isBlameworthy } from './lines.ts';

const SQL = String.raw`(?:select\s[^"'\x60]*?\bfrom\b|insert\s+into\b|update\s+[\w."\x60\[\]]+\s+set\b|delete\s+from\b)`;
const PLACEHOLDER =
  /^(?:\*+|x+|\.+|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\(?\w*\)?s|changeme|change_me|your[_-]?\w*|example\w*|dummy|test|password|secret|none|null|undefined|true|false|process\.env.*)$/i;

interface Rule {
  id: SecurityRuleId;
  patterns: RegExp[];
  /** Extra check on a match (e.g. the literal is not a placeholder). */
  accept?: (m: RegExpExecArray) => boolean;
}

export const securityRules: readonly Rule[] = [
  {
    id: 'hardcoded_secret',
    patterns: [
      /\b(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret[_-]?key|private[_-]?key|client[_-]?secret)["']?\s*(?::|=|:=|=>)\s*["']([^"'\s]{6,})["']/i,
      /\b(AKIA[0-9A-Z]{16})\b/,
      /\b(gh[pousr]_[A-Za-z0-9]{36,})\b/,
      /\b(xox[abprs]-[A-Za-z0-9-]{10,})\b/,
      /(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----)/,
    ],
    accept: (m) => !PLACEHOLDER.test(m[1] ?? ''),
  },
  {
    id: 'eval_exec',
    patterns: [
      /(?<![\w.$])(?<!(?:function|def|fn)\s+)eval\s*\(/,
      /\bnew\s+Function\s*\(/,
      /(?<![\w.$])(?<!(?:function|def|fn)\s+)exec(?:Sync)?\s*\(/,
      /\bchild_process\b.*\bexec(?:Sync)?\s*\(|\bchild_process\.exec(?:Sync)?\b/,
      /\bos\.(?:system|popen)\s*\(/,
      /\bsubprocess\.\w+\(.*shell\s*=\s*True/,
      /\bgetRuntime\(\)\s*\.exec\s*\(/,
      /(?<![\w.$])(?<!(?:function|def|fn|int|void)\s+)(?:system|popen)\s*\(/,
      /\bProcess\.Start\s*\(/,
      /\bexec\.Command\s*\(/,
      /\bCommand::new\s*\(/,
    ],
  },
  {
    id: 'sql_concat',
    patterns: [
      new RegExp(String.raw`"[^"]*${SQL}[^"]*"\s*\+\s*[\w$(]|'[^']*${SQL}[^']*'\s*\+\s*[\w$(]`, 'i'),
      new RegExp(String.raw`[\w$)]\s*\+\s*(?:"[^"]*|'[^']*)${SQL}`, 'i'),
      new RegExp(String.raw`\x60[^\x60]*${SQL}[^\x60]*\$\{`, 'i'),
      new RegExp(String.raw`\bf["'][^"']*${SQL}[^"']*\{`, 'i'),
      new RegExp(String.raw`(?:"[^"]*${SQL}[^"]*"|'[^']*${SQL}[^']*')\s*(?:%\s*[\w(]|\.format\s*\()`, 'i'),
      new RegExp(String.raw`\$"[^"]*${SQL}[^"]*\{`, 'i'),
      new RegExp(String.raw`(?:Sprintf|format)\s*\(\s*"[^"]*${SQL}[^"]*%[sdv]`, 'i'),
    ],
  },
  {
    id: 'weak_hash',
    patterns: [
      /createHash\(\s*["'](?:md5|sha1)["']/i,
      /\bhashlib\.(?:md5|sha1)\b/,
      /MessageDigest\.getInstance\(\s*"(?:MD5|SHA-?1)"/i,
      /\b(?:MD5|SHA1)\.Create\s*\(|\b(?:MD5CryptoServiceProvider|SHA1Managed|SHA1CryptoServiceProvider)\b/,
      /\b(?:md5|sha1)\.(?:New|Sum)\s*\(/,
      /\b(?:MD5|SHA1)(?:_Init)?\s*\(/,
      /\b(?:Md5|Sha1)::new\b|\bmd5::compute\b/,
    ],
  },
  {
    id: 'weak_cipher',
    patterns: [
      /createCipher(?:iv)?\(\s*["'](?:des|des-ede3?|des3|rc4|rc2|bf|blowfish)[^"']*["']/i,
      /["'][a-z0-9-]*-ecb["']/i,
      /Cipher\.getInstance\(\s*"(?:(?:DES|DESede|RC4|RC2|Blowfish)[/"]|AES"|[A-Za-z0-9]+\/ECB\/)/,
      /\b(?:DES|DES3|ARC4|ARC2|Blowfish)\.new\s*\(|\bmodes\.ECB\s*\(|\bMODE_ECB\b/,
      /\b(?:DESCryptoServiceProvider|TripleDESCryptoServiceProvider|RC2CryptoServiceProvider)\b|CipherMode\.ECB\b/,
      /\bdes\.New(?:TripleDES)?Cipher\s*\(|\brc4\.NewCipher\s*\(/,
      /\bEVP_(?:des_\w+|rc4\w*|aes_\d+_ecb)\s*\(|\bDES_ecb_encrypt\s*\(/,
    ],
  },
  {
    id: 'tls_disabled',
    patterns: [
      /rejectUnauthorized["']?\s*:\s*false/,
      /NODE_TLS_REJECT_UNAUTHORIZED["']?\]?\s*=\s*["']?0/,
      /\bverify\s*=\s*False\b/,
      /\bssl\._create_unverified_context\b|\bCERT_NONE\b|\bcheck_hostname\s*=\s*False\b/,
      /\bInsecureSkipVerify\s*:\s*true\b/,
      /\b(?:ALLOW_ALL_HOSTNAME_VERIFIER|NoopHostnameVerifier)\b|setHostnameVerifier\(\s*\([^)]*\)\s*->\s*true/,
      /ServerCertificate(?:Custom)?ValidationCallback\s*\+?=.*=>\s*true|DangerousAcceptAnyServerCertificateValidator/,
      /CURLOPT_SSL_VERIFY(?:PEER|HOST)\s*,\s*(?:0L?|false)\b/,
      /\bdanger_accept_invalid_certs\s*\(\s*true\s*\)/,
    ],
  },
];

export interface SecurityHit {
  rule: SecurityRuleId;
  /** 1-based line number in the new file. */
  line: number;
}

/** Rule hits in added lines; at most one hit per rule per line. Comment-only lines are skipped. */
export function scanLines(lines: readonly { number: number; content: string }[]): SecurityHit[] {
  const hits: SecurityHit[] = [];
  for (const { number, content } of lines) {
    if (content.length > 4000 || !isBlameworthy(content)) continue; // minified bundles: not reviewable code
    for (const rule of securityRules) {
      for (const re of rule.patterns) {
        const m = re.exec(content);
        if (m && (!rule.accept || rule.accept(m))) {
          hits.push({ rule: rule.id, line: number });
          break;
        }
      }
    }
  }
  return hits;
}
