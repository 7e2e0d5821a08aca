package io.cumulus.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.cumulus.client.api.ServerApi;
import io.cumulus.client.api.Shares;
import io.cumulus.client.config.DeviceConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code link create|list|revoke}: public links to a file, a folder or an album (docs/links.md). A file
 * or folder is named by its path: inside a synced folder, or as a path within the account's files on
 * the server ({@code docs/report.pdf}); an album by its name (or id). The link's address is printed
 * once, when it is made: the server keeps only a hash of its token.
 */
final class LinkCommands {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LinkCommands() {
    }

    @Command(name = "link", mixinStandardHelpOptions = true, description = "Makes, lists and revokes public links.",
            subcommands = {LinkCreate.class, LinkList.class, LinkRevoke.class})
    static final class Link implements Runnable {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Makes a view-only public link to a file, a folder or an album, and prints its address "
                    + "(shown this once: keep it).")
    static final class LinkCreate implements Callable<Integer> {
        @ParentCommand
        Link link;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "PATH",
                description = "a file or folder: inside a synced folder, or a path on the server (docs/report.pdf)")
        String path;

        @Option(names = "--album", paramLabel = "NAME", description = "link an album instead, by its name or id")
        String album;

        @Option(names = "--expires", paramLabel = "DURATION", description = "stop opening after 45s, 30m, 12h, 7d... (default: never)")
        String expires;

        @Option(names = "--password", description = "protect it with a password, asked on the terminal")
        boolean password;

        @Option(names = "--password-stdin", description = "protect it with a password read from the first line of standard input")
        boolean passwordStdin;

        @Option(names = "--namespace", paramLabel = "ID", description = "the namespace PATH is in (default: the shared folder PATH is in, else this account's home)")
        String namespace;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() throws IOException {
            CommandLine cli = spec.commandLine();
            if ((path == null) == (album == null)) {
                throw new CommandLine.ParameterException(cli, "name what to link: a PATH, or --album NAME");
            }
            if (password && passwordStdin) {
                throw new CommandLine.ParameterException(cli, "--password and --password-stdin exclude each other");
            }
            DeviceConfig device = link.main.device();
            ServerApi api = ClientMain.api(device);
            Map<String, String> request = new LinkedHashMap<>();
            if (path != null) {
                String remote = remotePath(path);
                if (namespace == null) {
                    // A path inside a shared folder is in that share's namespace, below its mount path.
                    Optional<ShareTarget> inShare = shareTarget(api.shares().shares(), remote);
                    if (inShare.isPresent()) {
                        namespace = inShare.get().shareId();
                        remote = inShare.get().path();
                    }
                }
                request.put("path", remote);
                if (namespace != null) {
                    request.put("namespaceId", namespace);
                }
            } else {
                request.put("albumId", albumId(cli, api, album));
            }
            if (expires != null) {
                request.put("expiresIn", expires);
            }
            readPassword(cli).ifPresent(p -> request.put("password", p));
            JsonNode made = api.createLink(request);
            if (json) {
                System.out.println(JSON.writeValueAsString(made));
                return 0;
            }
            System.out.println(api.server().resolve(made.get("url").asString()));
            JsonNode expiresAt = made.path("expiresAt");
            System.out.println("link " + made.get("linkId").asString() + " (" + made.path("kind").asString("") + ")"
                    + (expiresAt.isString() ? ", expires " + expiresAt.asString() : ", does not expire")
                    + (request.containsKey("password") ? ", password-protected" : "")
                    + "; revoke it with `cumulus link revoke " + made.get("linkId").asString() + "`");
            return 0;
        }

        /** Where a path of the synced folder lies when it is inside a shared folder: the share, and the path within it. */
        record ShareTarget(String shareId, String path) {
        }

        /**
         * The share whose mount path holds {@code remote}, with the path below that mount; empty when the
         * path is in the home folder. The shared folder itself is refused: a link names a file or folder in it.
         */
        static Optional<ShareTarget> shareTarget(List<Shares.Entry> shares, String remote) {
            for (Shares.Entry share : shares) {
                String mount = share.mountPath();
                if (mount == null || mount.isEmpty()) {
                    continue;
                }
                if (remote.equals(mount)) {
                    throw new IllegalArgumentException(remote + " is the shared folder " + share.name()
                            + " itself; link a file or folder inside it");
                }
                if (remote.startsWith(mount + "/")) {
                    return Optional.of(new ShareTarget(share.shareId(), remote.substring(mount.length() + 1)));
                }
            }
            return Optional.empty();
        }

        private Optional<String> readPassword(CommandLine cli) throws IOException {
            String typed = null;
            if (passwordStdin) {
                typed = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } else if (password) {
                if (System.console() == null) {
                    throw new CommandLine.ParameterException(cli, "--password asks on a terminal; without one, use --password-stdin");
                }
                char[] first = System.console().readPassword("Password for the link: ");
                char[] again = System.console().readPassword("Again: ");
                if (first == null || again == null || !new String(first).equals(new String(again))) {
                    throw new CommandLine.ParameterException(cli, "the two passwords differ");
                }
                typed = new String(first);
            } else {
                return Optional.empty();
            }
            if (typed == null || typed.isEmpty()) {
                throw new CommandLine.ParameterException(cli, "the link password is empty");
            }
            return Optional.of(typed);
        }
    }

    /** The path on the server: relative to its synced folder when PATH is inside one, else PATH as it is. */
    static String remotePath(String path) {
        return HistoryCommands.locate(Path.of(path)).map(HistoryCommands.Located::path).orElse(path);
    }

    /** The id of the album with this name (or this id); a usage error when none or several have it. */
    static String albumId(CommandLine cli, ServerApi api, String nameOrId) {
        List<String> named = new ArrayList<>();
        for (JsonNode a : api.albums().path("albums")) {
            String id = a.path("albumId").asString("");
            if (id.equals(nameOrId)) {
                return id;
            }
            if (a.path("name").asString("").equals(nameOrId)) {
                named.add(id);
            }
        }
        if (named.size() == 1) {
            return named.getFirst();
        }
        throw new CommandLine.ParameterException(cli, named.isEmpty() ? "no album is named " + PhotoCommands.printable(nameOrId)
                : "several albums are named " + PhotoCommands.printable(nameOrId) + "; give one's id: " + String.join(", ", named));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the links this account made, newest first.")
    static final class LinkList implements Callable<Integer> {
        @ParentCommand
        Link link;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            JsonNode links = ClientMain.api(link.main.device()).links();
            if (json) {
                System.out.println(JSON.writeValueAsString(links));
                return 0;
            }
            System.out.printf("%-36s  %-6s  %-7s  %-20s  %-8s  %s%n", "ID", "KIND", "STATE", "EXPIRES", "PASSWORD", "TARGET");
            for (JsonNode l : links.path("links")) {
                JsonNode expiresAt = l.path("expiresAt");
                System.out.printf("%-36s  %-6s  %-7s  %-20s  %-8s  %s%n", l.path("linkId").asString(""), l.path("kind").asString(""),
                        l.path("state").asString(""), expiresAt.isString() ? expiresAt.asString() : "never",
                        l.path("passwordProtected").asBoolean(false) ? "yes" : "no",
                        l.path("target").isString() ? PhotoCommands.printable(l.get("target").asString()) : "(gone)");
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a link: it stops opening at once, downloads under way included.")
    static final class LinkRevoke implements Callable<Integer> {
        @ParentCommand
        Link link;

        @Parameters(paramLabel = "ID", description = "the link, as `link list` shows it")
        String id;

        @Override
        public Integer call() {
            ClientMain.api(link.main.device()).revokeLink(id);
            System.out.println("revoked link " + id);
            return 0;
        }
    }
}
