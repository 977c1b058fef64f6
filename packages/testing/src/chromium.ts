// Debian's headless Chromium for tests of what a person sees in a browser (the HTML reports):
// the DOM after load, a screenshot, and every console message the page produced. Installed on
// demand by scripts/lib/bootstrap.sh (omen_ensure_chromium); a missing browser is a failure
// with the way to get it, never a skipped test.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ChromiumPage {
  /** The serialised DOM after load (--dump-dom). */
  dom: string;
  /** Console messages the page logged (Chromium's CONSOLE log lines), in order. */
  console: string[];
}

export function chromiumBinary(): string {
  const bin = process.env['CHROMIUM'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!bin) throw new Error("no chromium: run ./scripts/test (it installs Debian's chromium), or set CHROMIUM");
  return bin;
}

function flags(): string[] {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--hide-scrollbars',
    '--enable-logging=stderr',
    '--v=0',
    '--virtual-time-budget=5000',
  ];
}

const consoleLines = (stderr: string): string[] => stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l));

/** Opens a local HTML file: its DOM after load and its console messages. */
export async function openInChromium(file: string): Promise<ChromiumPage> {
  const { stdout, stderr } = await run(chromiumBinary(), [...flags(), '--dump-dom', pathToFileURL(file).href], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { dom: stdout, console: consoleLines(stderr) };
}

/** Writes a PNG screenshot of a local HTML file; returns the console messages of that load. */
export async function screenshotInChromium(
  file: string,
  png: string,
  size = { width: 1200, height: 2400 },
): Promise<string[]> {
  const { stderr } = await run(
    chromiumBinary(),
    [...flags(), `--screenshot=${png}`, `--window-size=${size.width},${size.height}`, pathToFileURL(file).href],
    { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
  );
  return consoleLines(stderr);
}

/**
 * Per chart (each top-level <svg> of a report's DOM), how many data marks Vega drew: the children
 * of its mark groups for lines, points, bars, rules and areas (axes, legends and titles are other roles).
 */
export function svgMarksPerChart(dom: string): number[] {
  return dom
    .split('<svg ')
    .slice(1)
    .map((chart) => {
      const groups = chart.match(/<g class="mark-(line|symbol|rect|rule|area) role-mark[^"]*"[^>]*>.*?<\/g>/gs) ?? [];
      return groups.reduce((acc, g) => acc + (g.match(/<(path|line)[ >]/g) ?? []).length, 0);
    });
}
