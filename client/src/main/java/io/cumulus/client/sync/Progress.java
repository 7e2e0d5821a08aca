package io.cumulus.client.sync;

import java.io.PrintStream;
import java.util.Locale;

/** Hears how a long transfer goes: a phase begins, bytes move, files complete, the phase ends. */
public interface Progress {
    Progress NONE = new Progress() {
        @Override
        public void begin(String phase, long totalBytes) {
        }

        @Override
        public void bytes(long n) {
        }

        @Override
        public void file() {
        }

        @Override
        public void end() {
        }
    };

    /** @param totalBytes the bytes to move, or 0 when not known in advance */
    void begin(String phase, long totalBytes);

    void bytes(long n);

    void file();

    void end();

    /** One line on a terminal, rewritten at most four times a second: phase, bytes, share, rate, files. */
    static Progress terminal(PrintStream out) {
        return new Progress() {
            private String phase;
            private long total;
            private long done;
            private long files;
            private long started;
            private long lastDrawn;

            @Override
            public synchronized void begin(String phase, long totalBytes) {
                this.phase = phase;
                this.total = totalBytes;
                this.done = 0;
                this.files = 0;
                this.started = System.nanoTime();
                this.lastDrawn = 0;
            }

            @Override
            public synchronized void bytes(long n) {
                done += n;
                draw(false);
            }

            @Override
            public synchronized void file() {
                files++;
                draw(false);
            }

            @Override
            public synchronized void end() {
                if (phase != null && lastDrawn != 0) {
                    draw(true);
                    out.println();
                }
                phase = null;
            }

            private void draw(boolean force) {
                long now = System.nanoTime();
                if (phase == null || !force && now - lastDrawn < 250_000_000L) {
                    return;
                }
                lastDrawn = now;
                double seconds = Math.max(0.001, (now - started) / 1e9);
                String share = total > 0 ? String.format(Locale.ROOT, " of %s (%d%%)", mb(total), Math.min(100, done * 100 / total)) : "";
                out.print(String.format(Locale.ROOT, "\r%s %s%s, %s/s, %d files   ", phase, mb(done), share, mb((long) (done / seconds)),
                        files));
                out.flush();
            }

            private static String mb(long bytes) {
                return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
            }
        };
    }
}
