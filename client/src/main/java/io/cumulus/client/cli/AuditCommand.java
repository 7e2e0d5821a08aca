package io.cumulus.client.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.cumulus.client.api.ServerApi;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code cumulus audit [--limit N] [--json]}: the last entries of this account's audit log, oldest
 * first (when, what, from which device, the details), then the chain's head: the seq and hash a
 * careful owner can note, since a later listing that no longer leads to them shows the log was rewritten.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Lists this account's audit log (sign-ins, devices, shares, links, quotas, deletions, restores), oldest first.")
final class AuditCommand implements Callable<Integer> {
    /** The largest page the server answers. */
    private static final int PAGE = 1000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParentCommand
    ClientMain main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--limit", paramLabel = "N", description = "how many of the latest entries to list (default: ${DEFAULT-VALUE})",
            defaultValue = "50")
    int limit;

    @Option(names = "--json", description = "the entries and the head as JSON")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1");
        }
        ServerApi api = ClientMain.api(main.device());
        JsonNode first = api.audit(0, 1);
        long headSeq = first.get("head").get("seq").asLong();
        long after = Math.max(0, headSeq - limit);
        List<JsonNode> entries = new ArrayList<>();
        JsonNode head = first.get("head");
        while (entries.size() < limit) {
            JsonNode page = api.audit(after, Math.min(PAGE, limit - entries.size()));
            page.get("entries").forEach(entries::add);
            head = page.get("head");
            if (page.get("next").isNull() || page.get("entries").isEmpty()) {
                break;
            }
            after = page.get("next").asLong();
        }
        if (json) {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putArray("entries");
            entries.forEach(list::add);
            out.set("head", head);
            System.out.println(JSON.writeValueAsString(out));
            return 0;
        }
        if (entries.isEmpty()) {
            System.out.println("no audit entries yet");
            return 0;
        }
        System.out.printf("%-6s  %-27s  %-28s  %-20s  %s%n", "SEQ", "AT", "ACTION", "DEVICE", "DETAILS");
        for (JsonNode e : entries) {
            System.out.printf("%-6d  %-27s  %-28s  %-20s  %s%n", e.get("seq").asLong(), e.get("at").asString(),
                    e.get("action").asString(), device(e), details(e.get("details")));
        }
        System.out.println("head: entry " + head.get("seq").asLong() + ", hash " + head.get("hash").asString());
        return 0;
    }

    private static String device(JsonNode e) {
        JsonNode name = e.get("deviceName");
        if (name != null && !name.isNull()) {
            return name.asString();
        }
        JsonNode id = e.get("deviceId");
        return id != null && !id.isNull() ? id.asString() : "-";
    }

    private static String details(JsonNode details) {
        return details.properties().stream().map(Map.Entry::getKey).sorted()
                .map(k -> k + "=" + details.get(k).asString()).collect(Collectors.joining(" "));
    }
}
