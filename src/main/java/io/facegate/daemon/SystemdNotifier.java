package io.facegate.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the daemon is doing (sd_notify): READY=1 once running, WATCHDOG=1 while healthy,
 * STOPPING=1 on shutdown, STATUS=... for {@code systemctl status}. Without {@code NOTIFY_SOCKET} (run by hand,
 * in tests, Type=simple) every call does nothing.
 *
 * <p>Java 17 cannot send to the unix datagram socket itself, so this runs {@code systemd-notify}. The unit
 * therefore needs {@code NotifyAccess=all}: the message comes from a child process, not the main PID. The
 * known race (systemd drops a message whose sender has already exited, because it can no longer find the
 * sender's unit) is avoided on systemd >= 246, including Debian 12's 252: systemd-notify waits, unless
 * given --no-block, until systemd has processed the message (sd_notify_barrier), so the child is still alive
 * when it is attributed. {@code --pid=<JVM pid>} adds MAINPID so that systemd keeps the JVM, not the
 * short-lived child, as the service's main process even when the JVM was started by a wrapper script.
 */
public final class SystemdNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    /** Runs a command with the notification socket in its environment; returns its exit status. A seam for tests. */
    @FunctionalInterface
    public interface CommandRunner {
        int run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException;
    }

    /** Runs the command as a child process, discarding its output, waiting at most 10 s. */
    public static final CommandRunner PROCESS = (command, environment) -> {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(environment);
        Process p = pb.start();
        if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    };

    private final String notifySocket;
    private final String watchdogUsec;
    private final String watchdogPid;
    private final long pid;
    private final String executable;
    private final CommandRunner runner;
    private volatile ScheduledExecutorService watchdog;

    /** From this process's environment, using the {@code systemd-notify} on the PATH. */
    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv(), ProcessHandle.current().pid(), "systemd-notify", PROCESS);
    }

    /**
     * @param env        where NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read
     * @param pid        this daemon's PID (sent as MAINPID)
     * @param executable the systemd-notify program
     */
    public SystemdNotifier(Map<String, String> env, long pid, String executable, CommandRunner runner) {
        String socket = env.get("NOTIFY_SOCKET");
        this.notifySocket = socket == null || socket.isBlank() ? null : socket;
        this.watchdogUsec = env.get("WATCHDOG_USEC");
        this.watchdogPid = env.get("WATCHDOG_PID");
        this.pid = pid;
        this.executable = executable;
        this.runner = runner;
    }

    /** Whether systemd listens (NOTIFY_SOCKET is set); otherwise every call is a no-op. */
    public boolean enabled() {
        return notifySocket != null;
    }

    /** Start-up finished: systemd now considers the service started (Type=notify). */
    public boolean ready(String status) {
        return send(List.of("--ready", "--status=" + oneLine(status)));
    }

    /** The daemon is alive and working; must come more often than WatchdogSec or systemd restarts it. */
    public boolean watchdog() {
        return send(List.of("WATCHDOG=1"));
    }

    /** Shutdown began (so a slow stop is not mistaken for a hang). */
    public boolean stopping(String status) {
        return send(List.of("--status=" + oneLine(status), "STOPPING=1"));
    }

    /** A one-line state shown by {@code systemctl status facegate}. */
    public boolean status(String status) {
        return send(List.of("--status=" + oneLine(status)));
    }

    /**
     * How often to ping: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; empty when no watchdog is
     * configured or it is meant for another process (WATCHDOG_PID).
     */
    public Optional<Duration> watchdogInterval() {
        if (!enabled() || watchdogUsec == null) {
            return Optional.empty();
        }
        if (watchdogPid != null && !watchdogPid.equals(Long.toString(pid))) {
            return Optional.empty();
        }
        try {
            long usec = Long.parseLong(watchdogUsec.trim());
            return usec > 0 ? Optional.of(Duration.ofNanos(usec * 1_000 / 2)) : Optional.empty();
        } catch (NumberFormatException e) {
            LOG.warn("ignoring unparsable WATCHDOG_USEC={}", watchdogUsec);
            return Optional.empty();
        }
    }

    /**
     * Pings the watchdog every {@link #watchdogInterval()} while {@code healthy} says so: a pipeline that stopped
     * delivering frames stops the pings, and systemd restarts the service. Returns false (and starts nothing)
     * when no watchdog is configured.
     */
    public synchronized boolean startWatchdog(BooleanSupplier healthy) {
        Optional<Duration> interval = watchdogInterval();
        if (interval.isEmpty() || watchdog != null) {
            return false;
        }
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "facegate-watchdog");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.get().toMillis());
        watchdog.scheduleAtFixedRate(() -> {
            try {
                if (healthy.getAsBoolean()) {
                    watchdog();
                } else {
                    LOG.warn("not pinging the systemd watchdog: the pipeline reports unhealthy");
                }
            } catch (RuntimeException e) {
                LOG.warn("watchdog check failed", e);
            }
        }, 0, ms, TimeUnit.MILLISECONDS);
        return true;
    }

    /** Stops the watchdog pings (before {@link #stopping}). */
    public synchronized void stopWatchdog() {
        if (watchdog != null) {
            watchdog.shutdownNow();
            try {
                watchdog.awaitTermination(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // no ping after this
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            watchdog = null;
        }
    }

    /** A newline would start a new variable in the notification message. */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").strip();
    }

    /** The command that would be run for these message parts; empty when disabled. */
    List<String> command(List<String> parts) {
        if (!enabled()) {
            return List.of();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        cmd.add("--pid=" + pid);
        cmd.addAll(parts);
        return cmd;
    }

    private boolean send(List<String> parts) {
        if (!enabled()) {
            return false;
        }
        List<String> cmd = command(parts);
        try {
            int rc = runner.run(cmd, Map.of("NOTIFY_SOCKET", notifySocket));
            if (rc != 0) {
                LOG.warn("{} exited with {}", String.join(" ", cmd), rc);
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.warn("cannot run {}: {}", executable, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
