package io.cumulus.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Build step: every schema of the last released version (the newest folder under
 * {@code released/}) must still be readable by the current schema of the same name (backward)
 * and the current schema must be readable by the released one (forward), as Avro's own
 * {@link SchemaCompatibility} decides. A removed schema is an incompatibility too.
 */
public final class CompatibilityCheck {

    /** One incompatibility, in words a reviewer can act on. */
    public record Problem(String schema, String direction, String detail) {
        @Override
        public String toString() {
            return schema + " is not " + direction + " compatible: " + detail;
        }
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CompatibilityCheck <released-dir> <current-dir>");
        }
        Path releasedRoot = Path.of(args[0]);
        Path latest = latestRelease(releasedRoot);
        List<Problem> problems = check(parseAll(latest), parseAll(Path.of(args[1])));
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("[schema-compatibility] " + p));
            throw new IllegalStateException(problems.size() + " schema incompatibilities with release "
                    + latest.getFileName() + "; see above");
        }
        System.out.println("[schema-compatibility] all schemas compatible with release " + latest.getFileName());
    }

    /** Compares released and current schemas (by full name) in both directions. */
    public static List<Problem> check(List<Schema> released, List<Schema> current) {
        List<Problem> problems = new ArrayList<>();
        for (Schema old : released) {
            Schema now = current.stream().filter(s -> s.getFullName().equals(old.getFullName()))
                    .findFirst().orElse(null);
            if (now == null) {
                problems.add(new Problem(old.getFullName(), "backward", "the schema was removed"));
                continue;
            }
            SchemaPairCompatibility backward = SchemaCompatibility.checkReaderWriterCompatibility(now, old);
            if (backward.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add(new Problem(old.getFullName(), "backward", backward.getResult().getIncompatibilities().toString()));
            }
            SchemaPairCompatibility forward = SchemaCompatibility.checkReaderWriterCompatibility(old, now);
            if (forward.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add(new Problem(old.getFullName(), "forward", forward.getResult().getIncompatibilities().toString()));
            }
        }
        return problems;
    }

    /** Parses every .avsc of a folder with one parser, so named types may refer to each other. */
    public static List<Schema> parseAll(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> avsc = files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
            List<String> texts = new ArrayList<>();
            for (Path f : avsc) {
                texts.add(Files.readString(f));
            }
            // Parse in dependency order: a schema that refers to a type not yet defined waits a round.
            List<Schema> parsed = new ArrayList<>();
            List<String> pending = new ArrayList<>(texts);
            while (!pending.isEmpty()) {
                List<String> next = new ArrayList<>();
                for (String text : pending) {
                    try {
                        Schema.Parser parser = new Schema.Parser();
                        parser.addTypes(parsed);
                        parsed.add(parser.parse(text));
                    } catch (AvroRuntimeException e) {
                        next.add(text);
                    }
                }
                if (next.size() == pending.size()) {
                    throw new IllegalStateException("unresolvable schemas in " + dir + ": " + next.size() + " left");
                }
                pending = next;
            }
            return parsed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path latestRelease(Path releasedRoot) {
        try (Stream<Path> dirs = Files.list(releasedRoot)) {
            return dirs.filter(Files::isDirectory)
                    .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(1))))
                    .orElseThrow(() -> new IllegalStateException("no release under " + releasedRoot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CompatibilityCheck() {
    }
}
