/** The machine a run was measured on, and how busy other processes kept it. */
import { readdirSync, readFileSync } from 'node:fs';
import { arch, cpus, type as osType, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  os: string;
  cpu: string;
  cores: number;
  memory: string;
  node: string;
}

/** OS, CPU model, core count, memory and Node version of this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    os: `${osType()} ${release()} (${platform()}/${arch()})`,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
  };
}

/** utime + stime (clock ticks) and parent of every process, from /proc (Linux); empty elsewhere. */
function processTimes(): Map<number, { ppid: number; ticks: number }> {
  const out = new Map<number, { ppid: number; ticks: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start at state.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Measures how much CPU *other* processes (not this one or its descendants)
 * used while a benchmark ran, so RESULTS.md can say how quiet the machine was.
 * Returns the average number of cores they kept busy.
 */
export function watchOtherLoad(everyMs = 500): { stop(): number } {
  const TICKS = 100; // USER_HZ on Linux
  let otherTicks = 0;
  let last = processTimes();
  const started = performance.now();
  const timer = setInterval(() => {
    const now = processTimes();
    const ours = new Set<number>([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, p] of now)
        if (!ours.has(pid) && ours.has(p.ppid)) {
          ours.add(pid);
          grew = true;
        }
    }
    for (const [pid, p] of now) {
      if (ours.has(pid)) continue;
      const before = last.get(pid)?.ticks ?? p.ticks;
      otherTicks += Math.max(0, p.ticks - before);
    }
    last = now;
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      return seconds > 0 ? otherTicks / TICKS / seconds : 0;
    },
  };
}
