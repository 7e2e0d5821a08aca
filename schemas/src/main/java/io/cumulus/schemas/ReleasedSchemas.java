package io.cumulus.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;

/**
 * The schemas of every released version ({@code schemas/released/vN}, copied onto the classpath), so
 * that a reader decodes the records an older release wrote: single-object encoding names the
 * writer's schema by fingerprint, and a decoder knows only the schemas it was given (decision 0005).
 * Releases are numbered from v1 without gaps; a schema added after a release is simply absent from it.
 */
final class ReleasedSchemas {
    private static final String ROOT = "io/cumulus/schemas/released/v";
    /**
     * Every named type, each after the types it refers to, so one parser resolves them in this order.
     * A new schema is added here too.
     */
    private static final List<String> NAMES = List.of("FileOp", "OutcomeKind", "VersionEntry", "ChunkRef", "Change",
            "ChangeBatchSubmitted", "ChangeOutcome", "FileEvent", "ConflictEvent", "FileState", "ChunkRefDelta",
            "PhotoEvent", "AlbumEvent");
    private static final List<Schema> ALL = load();

    /** Every released schema of the type named {@code fullName}, oldest release first. */
    static List<Schema> of(String fullName) {
        return ALL.stream().filter(s -> s.getFullName().equals(fullName)).toList();
    }

    private static List<Schema> load() {
        List<Schema> all = new ArrayList<>();
        for (int version = 1; ; version++) {
            List<Schema> release = release(version);
            if (release.isEmpty()) {
                return List.copyOf(all);
            }
            all.addAll(release);
        }
    }

    private static List<Schema> release(int version) {
        List<Schema> parsed = new ArrayList<>();
        for (String name : NAMES) {
            String resource = ROOT + version + "/" + name + ".avsc";
            try (InputStream in = ReleasedSchemas.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    continue;
                }
                Schema.Parser parser = new Schema.Parser();
                parser.addTypes(parsed);
                parsed.add(parser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the released schema " + resource, e);
            }
        }
        return parsed;
    }

    private ReleasedSchemas() {
    }
}
