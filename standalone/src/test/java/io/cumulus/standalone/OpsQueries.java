package io.cumulus.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PromQL that {@code ops/grafana/cumulus-dashboard.json} and {@code ops/prometheus/alerts.yml}
 * run, and the series names it queries: the names a Cumulus process must export for them to show
 * anything.
 */
final class OpsQueries {
    /** Series Prometheus makes itself for every target, exported by no process. */
    static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(?<![\\w:])(\\d+(ms|s|m|h|d|w|y))+(?![\\w:])");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w:])\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");

    private OpsQueries() {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("ops"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no ops/ folder above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** Every {@code expr} of the dashboard's panels. */
    static List<String> dashboardExpressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard().get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                exprs.add(target.get("expr").asString());
            }
        }
        return exprs;
    }

    static JsonNode dashboard() {
        return JsonMapper.builder().build().readTree(read("ops/grafana/cumulus-dashboard.json"));
    }

    /** Every rule of alerts.yml, as YAML maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules() {
        Map<String, Object> file = new Yaml().load(read("ops/prometheus/alerts.yml"));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    static List<String> alertExpressions() {
        return alertRules().stream().map(r -> r.get("expr").toString()).toList();
    }

    /** The series names both files query, Prometheus's own ({@link #PROMETHEUS_OWN}) left out. */
    static Set<String> exportedNamesQueried() {
        Set<String> names = new TreeSet<>();
        dashboardExpressions().forEach(e -> names.addAll(seriesIn(e)));
        alertExpressions().forEach(e -> names.addAll(seriesIn(e)));
        names.removeAll(PROMETHEUS_OWN);
        return names;
    }

    /**
     * The series names in one PromQL expression: the identifiers that are not functions (followed by
     * a parenthesis), keywords, label names (in matchers and grouping clauses), strings, numbers or durations.
     */
    static Set<String> seriesIn(String promql) {
        String e = STRING.matcher(promql).replaceAll("\"\"");
        e = e.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        e = GROUPING.matcher(e).replaceAll(" ");
        e = DURATION.matcher(e).replaceAll(" ");
        e = NUMBER.matcher(e).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String name = m.group().replaceAll("\\s*\\($", "");
            if (m.group(1) == null && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** The names of the samples in a Prometheus text exposition. */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(line);
                if (m.find()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    private static String read(String file) {
        try {
            return Files.readString(root().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
