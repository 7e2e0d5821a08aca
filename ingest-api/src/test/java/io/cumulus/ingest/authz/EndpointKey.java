package io.cumulus.ingest.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.springframework.context.ApplicationContext;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * One handler of the API as a row names it: {@code "GET /v1/files/{fileId}"}. Where two handlers
 * share a method and path pattern, each carries what tells them apart, its required parameters
 * and consumed media types: {@code "GET /v1/chunks/{chunkId} params=base"}; the one without
 * either stays bare. A handler for every method is named with {@code *}.
 */
record EndpointKey(String value) implements Comparable<EndpointKey> {

    static EndpointKey of(String value) {
        return new EndpointKey(value);
    }

    /** Every handler of the application's request mappings, by key, with the controller method that serves it. */
    static Map<EndpointKey, String> handlersOf(ApplicationContext context) {
        RequestMappingHandlerMapping mapping = context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        record Plain(String methodAndPattern, String qualifier, String handler) {
        }
        List<Plain> plain = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = e.getKey();
            String handler = e.getValue().getBeanType().getSimpleName() + "#" + e.getValue().getMethod().getName();
            List<String> methods = info.getMethodsCondition().getMethods().stream().map(Enum::name).sorted().toList();
            List<String> qualifiers = new ArrayList<>();
            if (!info.getParamsCondition().getExpressions().isEmpty()) {
                qualifiers.add("params=" + info.getParamsCondition().getExpressions().stream().map(Object::toString)
                        .sorted().collect(Collectors.joining(",")));
            }
            if (!info.getConsumesCondition().getExpressions().isEmpty()) {
                qualifiers.add("consumes=" + info.getConsumesCondition().getExpressions().stream().map(Object::toString)
                        .sorted().collect(Collectors.joining(",")));
            }
            for (String pattern : info.getPatternValues()) {
                for (String method : methods.isEmpty() ? List.of("*") : methods) {
                    plain.add(new Plain(method + " " + pattern, String.join(" ", qualifiers), handler));
                }
            }
        }
        Map<String, Long> shared = plain.stream().collect(Collectors.groupingBy(Plain::methodAndPattern, Collectors.counting()));
        Map<EndpointKey, String> keys = new TreeMap<>();
        for (Plain p : plain) {
            // Only a qualifier that is needed to tell two handlers apart is part of the key, and only a
            // params or non-JSON consumes condition can be: a plain JSON body is the default.
            String qualifier = shared.get(p.methodAndPattern()) > 1 ? distinguishing(p.qualifier()) : "";
            keys.put(new EndpointKey(qualifier.isEmpty() ? p.methodAndPattern() : p.methodAndPattern() + " " + qualifier), p.handler());
        }
        return keys;
    }

    private static String distinguishing(String qualifier) {
        return new TreeSet<>(List.of(qualifier.split(" "))).stream()
                .filter(q -> !q.isEmpty() && !q.equals("consumes=application/json"))
                .collect(Collectors.joining(" "));
    }

    /** The HTTP method of the key, {@code *} for a handler of every method. */
    String method() {
        return value.substring(0, value.indexOf(' '));
    }

    @Override
    public int compareTo(EndpointKey o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
