package io.cumulus.standalone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the standalone process keeps its data and where it listens. Each setting comes from a
 * command-line option, else an environment variable, else a default:
 * <pre>
 *   --data-dir=DIR            CUMULUS_DATA_DIR           ~/.cumulus
 *   --port=N                  CUMULUS_PORT               8080
 *   --kafka-port=N            CUMULUS_KAFKA_PORT         9092  (the in-process broker)
 *   --kafka-bootstrap=H:P     CUMULUS_KAFKA_BOOTSTRAP    unset: run the in-process broker
 *   --postgres-url=JDBC_URL   CUMULUS_POSTGRES_URL       unset: 127.0.0.1:5432/cumulus, else embedded
 *   --postgres-user=U         CUMULUS_POSTGRES_USER      postgres
 *   --postgres-password=P     CUMULUS_POSTGRES_PASSWORD  (empty)
 *   --partitions=N            CUMULUS_PARTITIONS         4
 *   --merge=on|off            CUMULUS_MERGE              on  (three-way merge of concurrent text edits)
 * </pre>
 */
public record StandaloneSettings(
        Path dataDir,
        int httpPort,
        int kafkaPort,
        Optional<String> kafkaBootstrap,
        Optional<String> postgresUrl,
        String postgresUser,
        String postgresPassword,
        int partitions,
        boolean merge) {

    static final List<String> OPTIONS = List.of("data-dir", "port", "kafka-port", "kafka-bootstrap",
            "postgres-url", "postgres-user", "postgres-password", "partitions", "merge");

    /** Thrown for an unknown option or a malformed value; the message is meant for the user. */
    public static final class BadSettings extends RuntimeException {
        public BadSettings(String message) {
            super(message);
        }
    }

    public static StandaloneSettings from(List<String> args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                unknown.add(arg);
                continue;
            }
            String key = arg.substring(2, arg.indexOf('='));
            if (!OPTIONS.contains(key)) {
                unknown.add(arg);
                continue;
            }
            given.put(key, arg.substring(arg.indexOf('=') + 1));
        }
        if (!unknown.isEmpty()) {
            throw new BadSettings("unknown option(s) " + unknown + "; known: "
                    + OPTIONS.stream().map(o -> "--" + o + "=...").toList());
        }
        java.util.function.Function<String, Optional<String>> value = key -> Optional
                .ofNullable(given.get(key))
                .or(() -> Optional.ofNullable(env.get("CUMULUS_" + key.toUpperCase().replace('-', '_'))))
                .filter(v -> !v.isBlank());
        Path dataDir = value.apply("data-dir").map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".cumulus"));
        return new StandaloneSettings(
                dataDir.toAbsolutePath().normalize(),
                port(value.apply("port").orElse("8080"), "port"),
                port(value.apply("kafka-port").orElse("9092"), "kafka-port"),
                value.apply("kafka-bootstrap"),
                value.apply("postgres-url"),
                value.apply("postgres-user").orElse("postgres"),
                value.apply("postgres-password").orElse(""),
                positive(value.apply("partitions").orElse("4"), "partitions"),
                onOff(value.apply("merge").orElse("on"), "merge"));
    }

    private static boolean onOff(String text, String name) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new BadSettings("--" + name + " must be on or off, was '" + text + "'");
        };
    }

    private static int port(String text, String name) {
        int port = positive(text, name);
        if (port > 65535) {
            throw new BadSettings("--" + name + " must be a TCP port (1-65535), was " + text);
        }
        return port;
    }

    private static int positive(String text, String name) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadSettings("--" + name + " must be a non-negative whole number, was '" + text + "'");
        }
    }
}
