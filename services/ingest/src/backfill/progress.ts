/** Progress of a backfill, drawn as a bar on a terminal or as plain lines otherwise. */
export interface ProgressState {
  done: number;
  total: number | undefined;
  published: number;
  duplicates: number;
  rejected: number;
  elapsedMs: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

function rateOf(s: ProgressState, sinceDone: number): number {
  return s.elapsedMs > 0 ? ((s.done - sinceDone) * 1000) / s.elapsedMs : 0;
}

/** `[#####.....]  52%  3,201/6,158  1,840/s  ETA 00:02  (published 3,100, dup 101, rejected 0)` */
export function formatBar(s: ProgressState, width = 30, startDone = 0): string {
  const rate = rateOf(s, startDone);
  const counts = `published ${s.published.toLocaleString('en')}, dup ${s.duplicates.toLocaleString('en')}, rejected ${s.rejected.toLocaleString('en')}`;
  if (s.total === undefined || s.total === 0) {
    return `${s.done.toLocaleString('en')} commits  ${Math.round(rate).toLocaleString('en')}/s  (${counts})`;
  }
  const fraction = Math.min(1, s.done / s.total);
  const filled = Math.round(fraction * width);
  const eta = rate > 0 ? (s.total - s.done) / rate : Infinity;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${s.done.toLocaleString('en')}/${s.total.toLocaleString('en')}  ${Math.round(rate).toLocaleString('en')}/s  ETA ${formatDuration(eta)}  (${counts})`;
}

export interface ProgressReporter {
  update(s: ProgressState): void;
  finish(s: ProgressState): void;
}

/**
 * On a TTY: one line redrawn in place, at most 10 times a second. Otherwise: a plain line every
 * `plainEveryMs` (logs and CI stay readable), plus the final one.
 */
export function progressReporter(
  stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown },
  startDone = 0,
  plainEveryMs = 5000,
): ProgressReporter {
  const tty = stream.isTTY === true;
  let last = -Infinity;
  return {
    update(s) {
      const now = performance.now();
      if (now - last < (tty ? 100 : plainEveryMs)) return;
      last = now;
      stream.write(tty ? `\r\x1b[2K${formatBar(s, 30, startDone)}` : `${formatBar(s, 30, startDone)}\n`);
    },
    finish(s) {
      stream.write(tty ? `\r\x1b[2K${formatBar(s, 30, startDone)}\n` : `${formatBar(s, 30, startDone)}\n`);
    },
  };
}
