import { readFileSync } from "node:fs";

/**
 * The CPU a process has used so far, in seconds of user and system time (proc(5): utime
 * and stime, in clock ticks of 1/100 s): steadier than wall time on a shared machine.
 */
export function cpuSecondsOf(pid: number): { user: number; system: number } {
  // The command name may hold spaces or parentheses: the fields start after its last ") ".
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").at(-1)!.split(" ");
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}
