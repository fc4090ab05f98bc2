package ai.coditect.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks read from Linux's /proc: CPU time, resident memory, the machine's load. */
final class Proc {
    private Proc() {
    }

    /** utime + stime in clock ticks (100 a second on Linux) of a stat line: fields 14 and 15, after the name. */
    static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The CPU time of process {@code pid} and its ended threads, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** The resident set size of process {@code pid} in KB ({@code VmRSS}), -1 when it reports none. */
    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The machine's load average over 1, 5 and 15 minutes, which says how far figures can be trusted. */
    static String loadAverage() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }
}
