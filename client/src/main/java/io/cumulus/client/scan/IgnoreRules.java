package io.cumulus.client.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a synced folder's {@code .cumulusignore} file, which uses the gitignore pattern syntax. There is one
 * such file, at the root of the synced folder; every pattern is relative to that root.
 *
 * <p>Syntax, one pattern per line:
 * <ul>
 *   <li>Blank lines match nothing; a line starting with {@code #} is a comment. Write {@code \#} for a pattern that
 *       starts with a literal {@code #}, and {@code \!} for one that starts with a literal {@code !}. A backslash
 *       makes any following character literal.</li>
 *   <li>Trailing spaces are trimmed unless escaped with a backslash ({@code "a\ "}).</li>
 *   <li>A leading {@code !} negates the pattern: a path it matches is included again.</li>
 *   <li>A trailing {@code /} makes the pattern match directories only (and so everything inside them).</li>
 *   <li>A pattern with a {@code /} at its start or in its middle is anchored to the root ({@code /build} matches
 *       {@code build} but not {@code src/build}); any other pattern matches a name at any depth ({@code *.tmp} matches
 *       {@code a/b/c.tmp}).</li>
 *   <li>{@code *} matches any run of characters except {@code /}; {@code ?} matches one character except
 *       {@code /}; {@code [...]} matches one character from a class, with ranges ({@code [a-z]}), negation
 *       ({@code [!a]} or {@code [^a]}) and POSIX names ({@code [[:digit:]]}). A {@code [} without a closing
 *       {@code ]} is literal.</li>
 *   <li>{@code **} as a whole path segment: a leading {@code **}{@code /} matches at any depth, a trailing
 *       {@code /**} matches everything inside, and {@code /**}{@code /} matches zero or more directories. Elsewhere
 *       {@code **} is the same as {@code *}.</li>
 * </ul>
 *
 * <p>The last pattern that matches a path decides whether it is ignored. As in git, a path inside an ignored
 * directory is ignored whatever the later patterns say: {@code logs/} then {@code !logs/keep.txt} still ignores
 * {@code logs/keep.txt}. Matching is case-sensitive.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class IgnoreRules {

    private static final IgnoreRules NONE = new IgnoreRules(List.of());

    private final List<Rule> rules;

    private IgnoreRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** Rules that ignore nothing, for a folder without a {@code .cumulusignore} file. */
    public static IgnoreRules none() {
        return NONE;
    }

    /** Parses the text of a {@code .cumulusignore} file; {@code null} or empty text ignores nothing. */
    public static IgnoreRules parse(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        if (text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            Rule rule = parseLine(line);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules.isEmpty() ? NONE : new IgnoreRules(List.copyOf(rules));
    }

    /**
     * Whether a path is ignored.
     *
     * @param relativePath the path relative to the synced folder's root, with {@code /} separators and no leading
     *                     slash, e.g. {@code docs/a/b.txt}
     * @param directory    whether the path names a directory
     */
    public boolean ignored(String relativePath, boolean directory) {
        if (rules.isEmpty() || relativePath == null) {
            return false;
        }
        String path = trimSlashes(relativePath);
        if (path.isEmpty()) {
            return false;
        }
        // A path inside an ignored directory is ignored and cannot be included again.
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            if (decide(path.substring(0, slash), true)) {
                return true;
            }
        }
        return decide(path, directory);
    }

    @Override
    public String toString() {
        return "IgnoreRules" + rules;
    }

    /** The last matching rule wins; no matching rule means not ignored. */
    private boolean decide(String path, boolean directory) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule rule = rules.get(i);
            if ((directory || !rule.directoryOnly()) && rule.regex().matcher(path).matches()) {
                return !rule.negated();
            }
        }
        return false;
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    private static Rule parseLine(String line) {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty() || line.charAt(0) == '#') {
            return null;
        }
        String pattern = trimTrailingSpaces(line);
        boolean negated = false;
        if (pattern.startsWith("!")) {
            negated = true;
            pattern = pattern.substring(1);
        }
        boolean directoryOnly = false;
        if (pattern.endsWith("/") && !escapedAt(pattern, pattern.length() - 1)) {
            directoryOnly = true;
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        boolean anchored = pattern.indexOf('/') >= 0;
        if (pattern.startsWith("/")) {
            pattern = pattern.substring(1);
        }
        if (pattern.isEmpty()) {
            return null;
        }
        String regex = (anchored ? "" : "(?:.*/)?") + translate(pattern);
        return new Rule(line, Pattern.compile(regex, Pattern.DOTALL), negated, directoryOnly);
    }

    /** Drops trailing spaces that are not escaped with a backslash. */
    private static String trimTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ' && !escapedAt(line, end - 1)) {
            end--;
        }
        return line.substring(0, end);
    }

    /** Whether the character at {@code index} is preceded by an odd number of backslashes. */
    private static boolean escapedAt(String s, int index) {
        int backslashes = 0;
        for (int i = index - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** Translates a pattern (without negation, trailing slash or leading slash) into a regular expression. */
    private static String translate(String pattern) {
        String[] segments = pattern.split("/", -1);
        StringBuilder regex = new StringBuilder();
        boolean separatorPending = false;
        boolean previousWasDoubleStar = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals("**")) {
                if (previousWasDoubleStar && !last) {
                    continue; // "**/**/" is the same as "**/"
                }
                if (last) {
                    // Trailing "/**": everything inside; a pattern of just "**": everything.
                    regex.append(i == 0 ? ".*" : previousWasDoubleStar ? ".+" : "/.+");
                } else {
                    // Leading "**/" or inner "/**/": zero or more directories.
                    regex.append(i == 0 ? "(?:.*/)?" : "/(?:.*/)?");
                }
                separatorPending = false;
                previousWasDoubleStar = true;
            } else {
                if (separatorPending) {
                    regex.append('/');
                }
                translateSegment(segment, regex);
                separatorPending = true;
                previousWasDoubleStar = false;
            }
        }
        return regex.toString();
    }

    /** Translates one path segment (no '/') of a glob into a regular expression. */
    private static void translateSegment(String segment, StringBuilder regex) {
        int i = 0;
        while (i < segment.length()) {
            char c = segment.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < segment.length()) {
                        appendLiteral(segment.charAt(i + 1), regex);
                        i += 2;
                    } else {
                        appendLiteral('\\', regex);
                        i++;
                    }
                }
                case '*' -> {
                    while (i < segment.length() && segment.charAt(i) == '*') {
                        i++;
                    }
                    regex.append("[^/]*");
                }
                case '?' -> {
                    regex.append("[^/]");
                    i++;
                }
                case '[' -> {
                    int end = translateClass(segment, i, regex);
                    if (end < 0) {
                        appendLiteral('[', regex);
                        i++;
                    } else {
                        i = end;
                    }
                }
                default -> {
                    appendLiteral(c, regex);
                    i++;
                }
            }
        }
    }

    /**
     * Translates the character class starting at {@code segment[start] == '['}. Returns the index just after its
     * closing ']', or -1 (appending nothing) when the class is not closed.
     */
    private static int translateClass(String segment, int start, StringBuilder regex) {
        int i = start + 1;
        boolean negated = false;
        if (i < segment.length() && (segment.charAt(i) == '!' || segment.charAt(i) == '^')) {
            negated = true;
            i++;
        }
        StringBuilder members = new StringBuilder();
        boolean first = true;
        while (i < segment.length()) {
            char c = segment.charAt(i);
            if (c == ']' && !first) {
                if (members.isEmpty()) {
                    regex.append(negated ? "[^/]" : "(?!)");
                } else {
                    regex.append(negated ? "[^/" : "[").append(members).append(']');
                }
                return i + 1;
            }
            first = false;
            if (c == '[' && segment.startsWith("[:", i)) {
                int close = segment.indexOf(":]", i + 2);
                String posix = close < 0 ? null : posixClass(segment.substring(i + 2, close));
                if (posix != null) {
                    members.append(posix);
                    i = close + 2;
                    continue;
                }
            }
            int[] low = classChar(segment, i);
            if (low == null) {
                return -1;
            }
            i = low[1];
            if (i + 1 < segment.length() && segment.charAt(i) == '-' && segment.charAt(i + 1) != ']') {
                int[] high = classChar(segment, i + 1);
                if (high == null) {
                    return -1;
                }
                i = high[1];
                if (low[0] <= high[0]) {
                    appendClassMember((char) low[0], members);
                    members.append('-');
                    appendClassMember((char) high[0], members);
                }
            } else {
                appendClassMember((char) low[0], members);
            }
        }
        return -1;
    }

    /** The (possibly backslash-escaped) class character at {@code i}: {char, index after it}; null past the end. */
    private static int[] classChar(String segment, int i) {
        char c = segment.charAt(i);
        if (c == '\\') {
            if (i + 1 >= segment.length()) {
                return null;
            }
            return new int[] {segment.charAt(i + 1), i + 2};
        }
        return new int[] {c, i + 1};
    }

    private static String posixClass(String name) {
        return switch (name) {
            case "alnum" -> "\\p{Alnum}";
            case "alpha" -> "\\p{Alpha}";
            case "blank" -> "\\p{Blank}";
            case "cntrl" -> "\\p{Cntrl}";
            case "digit" -> "\\p{Digit}";
            case "graph" -> "\\p{Graph}";
            case "lower" -> "\\p{Lower}";
            case "print" -> "\\p{Print}";
            case "punct" -> "\\p{Punct}";
            case "space" -> "\\p{Space}";
            case "upper" -> "\\p{Upper}";
            case "xdigit" -> "\\p{XDigit}";
            default -> null;
        };
    }

    private static void appendLiteral(char c, StringBuilder regex) {
        if (c < 128 && !Character.isLetterOrDigit(c)) {
            regex.append('\\');
        }
        regex.append(c);
    }

    private static void appendClassMember(char c, StringBuilder members) {
        if (c < 128 && !Character.isLetterOrDigit(c)) {
            members.append('\\');
        }
        members.append(c);
    }

    private record Rule(String source, Pattern regex, boolean negated, boolean directoryOnly) {
        @Override
        public String toString() {
            return source;
        }
    }
}
