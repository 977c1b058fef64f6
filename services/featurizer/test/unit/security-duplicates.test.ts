import { describe, expect, it } from 'vitest';
import { securityRuleIds } from '@omen/features';
import { DUPLICATE_WINDOW, findDuplicates } from '../../src/domain/code/duplicates.ts';
import { scanLines, securityRules } from '../../src/domain/code/security.ts';

const rulesOf = (line: string): string[] => scanLines([{ number: 1, content: line }]).map((h) => h.rule);

describe('security rules', () => {
  it('cover exactly the registry rule ids', () => {
    expect(securityRules.map((r) => r.id)).toEqual([...securityRuleIds]);
  });

  const positives: [string, string][] = [
    ['hardcoded_secret', 'const password = "hunter22pass";'],
    ['hardcoded_secret', "API_KEY = 'a8f5f167f44f4964e6c998dee827110c'"],
    ['hardcoded_secret', 'aws_id: AKIAIOSFODNN7EXAMPLE'],
    ['hardcoded_secret', 'token := "ghp_abcdefghijklmnopqrstuvwxyz0123456789"'],
    ['hardcoded_secret', '-----BEGIN RSA PRIVATE KEY-----'],
    ['eval_exec', 'const r = eval(userInput);'],
    ['eval_exec', 'const fn = new Function("a", body);'],
    ['eval_exec', "require('child_process').exec(cmd)"],
    ['eval_exec', 'os.system("rm -rf " + path)'],
    ['eval_exec', 'subprocess.run(cmd, shell=True)'],
    ['eval_exec', 'Runtime.getRuntime().exec(cmd);'],
    ['eval_exec', 'system(buf);'],
    ['eval_exec', 'exec.Command("sh", "-c", s)'],
    ['sql_concat', 'db.query("SELECT * FROM users WHERE id = " + id)'],
    ['sql_concat', 'q = "DELETE FROM t WHERE name = \'" + name + "\'"'],
    ['sql_concat', 'db.query(`select name from users where id = ${id}`)'],
    ['sql_concat', 'cur.execute(f"UPDATE users SET name = {name}")'],
    ['sql_concat', 'cur.execute("INSERT INTO t VALUES (%s)" % v)'],
    ['sql_concat', 'fmt.Sprintf("SELECT a FROM t WHERE b = %s", b)'],
    ['weak_hash', "crypto.createHash('md5').update(x)"],
    ['weak_hash', 'h = hashlib.sha1(data)'],
    ['weak_hash', 'MessageDigest.getInstance("MD5")'],
    ['weak_hash', 'sum := md5.Sum(b)'],
    ['weak_cipher', "crypto.createCipheriv('des-ede3', key, iv)"],
    ['weak_cipher', "crypto.createCipheriv('aes-128-ecb', key, null)"],
    ['weak_cipher', 'Cipher.getInstance("AES")'],
    ['weak_cipher', 'Cipher.getInstance("AES/ECB/PKCS5Padding")'],
    ['weak_cipher', 'cipher = DES.new(key, DES.MODE_ECB)'],
    ['tls_disabled', 'https.request({ rejectUnauthorized: false })'],
    ['tls_disabled', "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'"],
    ['tls_disabled', 'requests.get(url, verify=False)'],
    ['tls_disabled', 'tls.Config{InsecureSkipVerify: true}'],
    ['tls_disabled', 'curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);'],
  ];
  for (const [rule, line] of positives) {
    it(`${rule}: flags ${line}`, () => {
      expect(rulesOf(line)).toContain(rule);
    });
  }

  const negatives = [
    'const password = process.env.PASSWORD;',
    'password: "changeme"',
    'const token = "";',
    '// eval(x) is dangerous, never do that',
    'const m = /a(b)/.exec(str);',
    'function exec(cmd) {',
    'db.query("SELECT * FROM users WHERE id = ?", [id])',
    'const s = "selected from the list: " + name',
    "crypto.createHash('sha256')",
    'Cipher.getInstance("AES/GCM/NoPadding")',
    'https.request({ rejectUnauthorized: true })',
    'app.patch("/users", handler)',
    'const prefix = system.name;',
  ];
  for (const line of negatives) {
    it(`flags nothing in ${line}`, () => {
      expect(rulesOf(line)).toEqual([]);
    });
  }

  it('reports line numbers and one hit per rule per line', () => {
    const hits = scanLines([
      { number: 7, content: 'ok();' },
      { number: 8, content: 'eval(a); eval(b); requests.get(u, verify=False)' },
    ]);
    expect(hits).toEqual([
      { rule: 'eval_exec', line: 8 },
      { rule: 'tls_disabled', line: 8 },
    ]);
  });
});

describe('findDuplicates', () => {
  const block = Array.from({ length: DUPLICATE_WINDOW }, (_, i) => `total += item${i}.price * qty;`);

  it('finds a block copied into another hunk, however indented', () => {
    const r = findDuplicates([
      [...block, 'other();'],
      ['first();', ...block.map((l) => `      ${l}`)],
    ]);
    expect(r).toEqual({ blocks: 1, lines: DUPLICATE_WINDOW });
  });

  it('ignores runs shorter than the window and trivial lines', () => {
    expect(findDuplicates([block.slice(0, DUPLICATE_WINDOW - 1), block.slice(0, DUPLICATE_WINDOW - 1)])).toEqual({
      blocks: 0,
      lines: 0,
    });
    const braces = Array.from({ length: 10 }, () => '}');
    expect(findDuplicates([braces, braces])).toEqual({ blocks: 0, lines: 0 });
  });

  it('counts a longer copied run as one block', () => {
    const long = [...block, 'a = 1;', 'b = 2;'];
    expect(findDuplicates([long, ['x();'], long])).toEqual({ blocks: 1, lines: long.length });
  });
});
