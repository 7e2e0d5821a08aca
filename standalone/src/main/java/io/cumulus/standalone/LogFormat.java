package io.cumulus.standalone;

import java.util.Locale;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;

/**
 * How the server writes its log lines on standard output ({@code --log-format}): {@code text}, one
 * line for a person to read, or {@code json}, one JSON object per line for a log collector, with the
 * time, level, logger, thread, message, exception and every key of the logging context (the
 * correlation id, namespace, batch and device where known; docs/decisions/0039).
 *
 * <p>{@code logback.xml} picks its appender by the system property {@value #PROPERTY}, so the choice
 * holds however often Logback is configured again (the API's Spring context configures it once more
 * when it starts), and for every thread of the process, Spring's or not.
 */
enum LogFormat {
    TEXT, JSON;

    /** The system property {@code logback.xml} reads. */
    static final String PROPERTY = "cumulus.log.format";

    static LogFormat parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new StandaloneSettings.BadSettings("--log-format must be text or json, was '" + text + "'");
        };
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Makes this the format of every log line from now on. Logback may have configured itself
     * already (a class logged while the options were read): it reads its configuration again.
     */
    void apply() {
        System.setProperty(PROPERTY, optionValue());
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot configure logging: " + e.getMessage(), e);
            }
        }
    }
}
