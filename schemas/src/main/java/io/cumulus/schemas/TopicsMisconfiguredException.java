package io.cumulus.schemas;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Public topics exist with a configuration the application cannot repair on its own (see
 * {@link TopicSpecs#check}); it refuses to start rather than write into them.
 */
public final class TopicsMisconfiguredException extends IllegalStateException {
    private final List<TopicFinding.Refusal> refusals;

    public TopicsMisconfiguredException(List<TopicFinding.Refusal> refusals) {
        super("refusing to start: " + refusals.size() + " Cumulus topic(s) are misconfigured: "
                + refusals.stream().map(TopicFinding.Refusal::toString).collect(Collectors.joining("; ")));
        this.refusals = List.copyOf(refusals);
    }

    public List<TopicFinding.Refusal> refusals() {
        return refusals;
    }
}
