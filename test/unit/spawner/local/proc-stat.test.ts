// Parsing /proc/<pid>/stat, including command names with spaces and parentheses.
import { isLiveState, isSameProcessAlive, parseProcStat, readProcStat } from '../../../../spawner/local/proc-stat';

// Fields after comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
// utime stime cutime cstime priority nice threads itrealvalue starttime ...
const line = (comm: string, state: string, pgrp: number, start: number) =>
  `4242 (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 5 2 0 0 20 0 1 0 ${start} 123456 789 18446744073709551615`;

describe('parseProcStat', () => {
  test('reads pid, state, process group and start time', () => {
    expect(parseProcStat(line('node', 'S', 4242, 987654))).toEqual({ pid: 4242, state: 'S', pgrp: 4242, startTime: 987654 });
  });

  test('a command name with spaces and parentheses does not shift the fields', () => {
    expect(parseProcStat(line('we(i) rd) S 9', 'Z', 7, 55))).toEqual({ pid: 4242, state: 'Z', pgrp: 7, startTime: 55 });
  });

  test.each(['', 'garbage', '12 (x) S 1 2', '12 (x)'])('rejects %j', (text) => {
    expect(parseProcStat(text)).toBeNull();
  });
});

describe('liveness', () => {
  test('zombies and missing processes count as dead', () => {
    expect(isLiveState(null)).toBe(false);
    expect(isLiveState({ pid: 1, state: 'Z', pgrp: 1, startTime: 1 })).toBe(false);
    expect(isLiveState({ pid: 1, state: 'S', pgrp: 1, startTime: 1 })).toBe(true);
  });

  test('this process is alive only with its own start time', () => {
    const self = readProcStat(process.pid);
    expect(self?.pid).toBe(process.pid);
    expect(isSameProcessAlive(process.pid, self?.startTime ?? -1)).toBe(true);
    expect(isSameProcessAlive(process.pid, (self?.startTime ?? 0) + 1)).toBe(false);
  });
});
