package io.spillway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory and CPU time of a Linux process from /proc. */
record ProcStats(long rssBytes, long cpuMillis) {
    private static final long TICK_MILLIS = 10; // USER_HZ is 100 on Linux

    /** Busy CPU time of the whole machine (all cores, every process), from /proc/stat; RSS 0. */
    static ProcStats machine() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = cpu.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length; i++) {
                if (i != 4 && i != 5) { // idle and iowait are not busy
                    busy += Long.parseLong(f[i]);
                }
            }
            return new ProcStats(0, busy * TICK_MILLIS);
        } catch (IOException | RuntimeException e) {
            return new ProcStats(0, 0);
        }
    }

    static ProcStats of(long pid) {
        try {
            long rssKb = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the ")" of the command name: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return new ProcStats(rssKb * 1024, ticks * TICK_MILLIS);
        } catch (IOException | RuntimeException e) {
            return new ProcStats(0, 0);
        }
    }
}
