import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Resident memory of a process in bytes (VmRSS), or undefined once it has exited. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used so far (all its threads). */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // After the command name: state is field 3, utime field 14, stime field 15.
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : 0;
}

/** The child processes of `parent` whose command name starts with `command` (e.g. the Temporal CLI). */
export function childProcesses(parent: number, command: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        return name.startsWith(command) && Number(statFields(pid)?.[1]) === parent;
      } catch {
        return false;
      }
    });
}

/** CPU seconds every core of the machine has spent busy since boot (from /proc/stat). */
export function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/**
 * Starts measuring CPU: the worker's, the server's, this process's (the bench and the sandboxes)
 * and everything else the machine ran meanwhile, which competed for the same cores.
 */
export function cpuMeter(workerCpuSeconds: () => number, serverPid: number) {
  const before = [
    workerCpuSeconds(),
    cpuSeconds(serverPid),
    process.cpuUsage(),
    machineBusySeconds(),
  ] as const;
  return () => {
    const own = process.cpuUsage(before[2]);
    const cpu = {
      worker: workerCpuSeconds() - before[0],
      server: cpuSeconds(serverPid) - before[1],
      sandboxesAndBench: (own.user + own.system) / 1e6,
    };
    const machine = machineBusySeconds() - before[3];
    return { ...cpu, otherProcesses: Math.max(0, machine - cpu.worker - cpu.server - cpu.sandboxesAndBench) };
  };
}
