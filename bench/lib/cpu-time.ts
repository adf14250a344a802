/** CPU time a child process has used, from /proc (Linux): user + system, all its threads. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's counters (`getconf CLK_TCK`, 100 on almost every Linux). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    let n = Number.NaN;
    try {
      n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // no getconf: the kernel's USER_HZ is 100 on every architecture Node runs on
    }
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/**
 * Milliseconds of CPU (utime + stime of /proc/<pid>/stat, every thread of the
 * process: the event loop, GC and libuv's pool) used so far, or undefined where
 * /proc is not readable. Resolution is one clock tick (10 ms at 100 Hz): read it
 * around a run long enough for that not to matter.
 */
export function cpuTimeMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the whole line are 12 and 13 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / clockTicks();
}
