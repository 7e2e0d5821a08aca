package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.cumulus.schemas.Correlation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's log lines as its own {@code logback.xml} writes them, in each {@code --log-format}: a
 * JSON line is one valid object whatever the message holds, with the logging context's keys.
 */
class LogLinesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Quotes, a forged second JSON line, carriage return, tab, control and escape characters, a backslash. */
    private static final String HOSTILE = "he said \"hi\"\n{\"level\":\"ERROR\",\"formattedMessage\":\"forged\"}\r\t\u0000"
            + "\u0001\u001b[31m red \\ end \u2028 \uD83D\uDE00";

    @Test
    void aJsonLineIsOneValidObjectWithTheLoggingContextWhateverTheMessageHolds() throws Exception {
        // given the server's logging in json
        String output = logged("json", log -> {
            // when a request's line carries a hostile message and an exception with another
            try (Correlation.Scope scope = Correlation.scope("corr-123").put(Correlation.NAMESPACE_ID, "ns-1")
                    .put(Correlation.BATCH_ID, "batch-9")) {
                log.info("batch accepted path={}", HOSTILE);
                log.warn("failed", new IllegalStateException("boom " + HOSTILE));
            }
            log.info("outside any request");
        });

        // then each event is one line, each line one JSON object holding the message exactly
        List<String> lines = output.lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode accepted = JSON.readTree(lines.get(0));
        assertThat(accepted.isObject()).isTrue();
        assertThat(accepted.get("formattedMessage").asString()).isEqualTo("batch accepted path=" + HOSTILE);
        assertThat(accepted.get("level").asString()).isEqualTo("INFO");
        assertThat(accepted.get("loggerName").asString()).isEqualTo("io.cumulus.test.LogLines");
        assertThat(accepted.get("threadName").asString()).isEqualTo(Thread.currentThread().getName());
        assertThat(accepted.get("timestamp").asLong()).isPositive();
        assertThat(accepted.get("mdc").get("correlationId").asString()).isEqualTo("corr-123");
        assertThat(accepted.get("mdc").get("namespaceId").asString()).isEqualTo("ns-1");
        assertThat(accepted.get("mdc").get("batchId").asString()).isEqualTo("batch-9");

        JsonNode failed = JSON.readTree(lines.get(1));
        assertThat(failed.get("level").asString()).isEqualTo("WARN");
        assertThat(failed.get("throwable").get("className").asString()).isEqualTo(IllegalStateException.class.getName());
        assertThat(failed.get("throwable").get("message").asString()).isEqualTo("boom " + HOSTILE);
        assertThat(failed.get("mdc").get("correlationId").asString()).isEqualTo("corr-123");

        JsonNode outside = JSON.readTree(lines.get(2));
        assertThat(outside.get("mdc").has("correlationId")).as("the scope gave the key back").isFalse();
        assertThat(output).doesNotContain("\u001b").doesNotContain("\u0000").doesNotContain("\r");
    }

    @Test
    void aTextLineEndsWithTheCorrelationIdWhenItsEventHasOne() throws Exception {
        String output = logged("text", log -> {
            try (Correlation.Scope scope = Correlation.scope("corr-456")) {
                log.info("batch accepted");
            }
            log.info("no request");
        });
        List<String> lines = output.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  LogLines - batch accepted correlationId=corr-456");
        assertThat(lines.get(1)).endsWith("LogLines - no request");
    }

    @Test
    void theFormatIsTextUnlessJsonIsAskedForByOptionOrEnvironment() {
        assertThat(StandaloneSettings.from(List.of(), Map.of()).logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(StandaloneSettings.from(List.of("--log-format=json"), Map.of()).logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_LOG_FORMAT", "JSON")).logFormat())
                .isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> StandaloneSettings.from(List.of("--log-format=xml"), Map.of()))
                .isInstanceOf(StandaloneSettings.BadSettings.class)
                .hasMessage("--log-format must be text or json, was 'xml'");
    }

    /** What a logger of a context configured by the server's logback.xml in {@code format} writes to standard output. */
    private static String logged(String format, java.util.function.Consumer<Logger> logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the logging context the code under test puts its keys in
        context.putProperty(LogFormat.PROPERTY, format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            configurator.doConfigure(LogLinesTest.class.getResource("/logback.xml"));
            logging.accept(context.getLogger("io.cumulus.test.LogLines"));
        } finally {
            context.stop();
            System.setOut(original);
            MDC.clear();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
