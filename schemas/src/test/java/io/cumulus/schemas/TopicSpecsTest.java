package io.cumulus.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** How an existing topic is compared with its spec on start: what is fixed, what refuses the start, what is only said. */
class TopicSpecsTest {
    private static final Map<String, String> KEPT_FOREVER = Map.of("cleanup.policy", "delete", "retention.ms", "-1",
            "retention.bytes", "-1");

    private static NewTopic spec(String topic) {
        return TopicSpecs.all(4, (short) 1).stream().filter(t -> t.name().equals(topic)).findFirst().orElseThrow();
    }

    @Test
    void everyPublicTopicHasASpec() {
        assertThat(TopicSpecs.all(4, (short) 1)).extracting(NewTopic::name).containsExactlyInAnyOrder(
                Topics.CHANGES, Topics.OUTCOMES, Topics.FILE_EVENTS, Topics.CONFLICTS, Topics.FILE_STATE,
                Topics.CHUNK_REFS, Topics.PHOTO_EVENTS, Topics.ALBUM_EVENTS);
    }

    @Test
    void aTopicAsSpecifiedHasNoFinding() {
        assertThat(TopicSpecs.check(spec(Topics.FILE_EVENTS), 4, KEPT_FOREVER)).isEmpty();
        assertThat(TopicSpecs.check(spec(Topics.FILE_STATE), 4, Map.of("cleanup.policy", "compact",
                "retention.ms", "604800000", "retention.bytes", "-1"))).isEmpty();
    }

    @Test
    void aHistoryTopicWithALimitedRetentionIsSetToKeepEverything() {
        var findings = TopicSpecs.check(spec(Topics.FILE_EVENTS), 4, Map.of("cleanup.policy", "delete",
                "retention.ms", "604800000", "retention.bytes", "1073741824"));

        assertThat(findings).containsExactlyInAnyOrder(
                new TopicFinding.Fix(Topics.FILE_EVENTS, "retention.ms", "604800000", "-1"),
                new TopicFinding.Fix(Topics.FILE_EVENTS, "retention.bytes", "1073741824", "-1"));
    }

    @Test
    void aCompactedHistoryTopicRefusesTheStart() {
        assertThat(TopicSpecs.check(spec(Topics.CHUNK_REFS), 4, Map.of("cleanup.policy", "compact",
                "retention.ms", "-1", "retention.bytes", "-1")))
                .singleElement().isInstanceOfSatisfying(TopicFinding.Refusal.class,
                        r -> assertThat(r.reason()).contains("cleanup.policy is compact", "history"));
        assertThat(TopicSpecs.check(spec(Topics.FILE_EVENTS), 4, Map.of("cleanup.policy", "compact,delete")))
                .singleElement().isInstanceOf(TopicFinding.Refusal.class);
    }

    @Test
    void aStateTopicThatDeletesIsSetToCompact() {
        assertThat(TopicSpecs.check(spec(Topics.FILE_STATE), 4, Map.of("cleanup.policy", "delete")))
                .containsExactly(new TopicFinding.Fix(Topics.FILE_STATE, "cleanup.policy", "delete", "compact"));
    }

    @Test
    void anotherPartitionCountIsKeptAndSaid() {
        assertThat(TopicSpecs.check(spec(Topics.OUTCOMES), 2, KEPT_FOREVER))
                .singleElement().isInstanceOfSatisfying(TopicFinding.Notice.class,
                        n -> assertThat(n.reason()).contains("has 2 partitions, 4 were asked for"));
        assertThat(TopicSpecs.check(spec(Topics.OUTCOMES), 12, KEPT_FOREVER))
                .singleElement().isInstanceOf(TopicFinding.Notice.class);
    }
}
