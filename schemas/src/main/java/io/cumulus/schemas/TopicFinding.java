package io.cumulus.schemas;

/**
 * One difference between a public topic as it exists on the brokers and as {@link TopicSpecs} requires it,
 * and what the application does about it on start: set the config it requires ({@link Fix}), refuse to
 * start ({@link Refusal}), or say so in the log and carry on ({@link Notice}).
 */
public sealed interface TopicFinding {

    String topic();

    /** A topic config that differs and can be set to the required value without losing or reordering records. */
    record Fix(String topic, String config, String actual, String required) implements TopicFinding {
        @Override
        public String toString() {
            return topic + ": " + config + " is " + actual + ", set to " + required;
        }
    }

    /** A difference the application cannot repair: records may already be lost, an operator must decide. */
    record Refusal(String topic, String reason) implements TopicFinding {
        @Override
        public String toString() {
            return topic + ": " + reason;
        }
    }

    /** A difference that is safe to run with and must not be changed by the application. */
    record Notice(String topic, String reason) implements TopicFinding {
        @Override
        public String toString() {
            return topic + ": " + reason;
        }
    }
}
