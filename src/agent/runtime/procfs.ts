// What the process runtime reads from /proc: whether a pid is still the process it recorded,
// a process's children, and CPU and memory of a container's processes.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** R, S, D, Z (zombie), ... */
  state: string;
  /** utime + stime + cutime + cstime, in clock ticks: the process's CPU plus that of children it reaped. */
  cpuTicks: number;
  /** Ticks since boot when the process started: with the pid, it identifies a process. */
  startTime: number;
  rssPages: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
  // The fields after it start at field 3 (state): field n is at index n - 3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (n: number) => Number(f[n - 3]);
  return {
    pid,
    ppid: num(4),
    pgrp: num(5),
    state: f[0],
    cpuTicks: num(14) + num(15) + num(16) + num(17),
    startTime: num(22),
    rssPages: num(24),
  };
}

/** True while pid is the process that started at startTime (not a later one reusing the pid) and not a zombie. */
export function isAlive(pid: number, startTime: number): boolean {
  const st = readStat(pid);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The pid namespace of a process, as the kernel names it ("pid:[4026531836]"). */
export function pidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

export function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Processes that belong to a container: its process group, plus (with namespaces) its pid namespace. */
export function containerProcesses(pgid: number, pidNs?: string): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of allPids()) {
    const st = readStat(pid);
    if (!st) continue;
    if (st.pgrp === pgid || (pidNs !== undefined && pidNamespace(pid) === pidNs)) out.push(st);
  }
  return out;
}

function sysconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

let ticks: number | undefined;
let pageSize: number | undefined;
export const clockTicksPerSecond = () => (ticks ??= sysconf('CLK_TCK', 100));
export const pageBytes = () => (pageSize ??= sysconf('PAGESIZE', 4096));
