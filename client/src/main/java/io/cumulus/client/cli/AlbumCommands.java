package io.cumulus.client.cli;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code album list|create|rename|delete|add|remove|show|share|unshare|leave}: the photo library's
 * albums, and the albums other accounts shared with this one (docs/decisions/0032). Photos are named
 * by path, as for {@link PhotoCommands}; every change prints the album as the server then has it.
 */
final class AlbumCommands {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AlbumCommands() {
    }

    /** What the server answered: its JSON as it is, or the album in words. */
    static void printAlbum(JsonNode album, boolean json) {
        if (json) {
            System.out.println(JSON.writeValueAsString(album));
            return;
        }
        if ("accepted".equals(album.path("status").asString(""))) {
            System.out.println("accepted; it shows in a moment (album " + album.path("albumId").asString("") + ")");
            return;
        }
        System.out.println(PhotoCommands.printable(album.path("name").asString("")) + "  (" + album.path("count").asLong(0) + " photos, id "
                + album.path("albumId").asString("") + ")");
        if (album.path("shared").asBoolean(false)) {
            List<String> members = new java.util.ArrayList<>();
            album.path("members").forEach(m -> members.add(PhotoCommands.printable(m.path("username").asString(""))
                    + " (" + m.path("role").asString("") + ")"));
            System.out.println("owner: " + PhotoCommands.printable(album.path("owner").asString("")) + ", your role: "
                    + album.path("role").asString("") + (members.isEmpty() ? "" : ", shared with: " + String.join(", ", members)));
        }
        if (album.has("photos")) {
            if (album.path("shared").asBoolean(false)) {
                printSharedPhotos(album.get("photos"));
            } else {
                PhotoCommands.printPhotos(album.get("photos"));
            }
        }
    }

    /** The photos of a shared album, each with its owner: who contributed it from their library. */
    private static void printSharedPhotos(JsonNode photos) {
        System.out.printf("%-25s  %-16s  %s%n", "TAKEN AT", "OWNER", "PATH");
        for (JsonNode p : photos) {
            System.out.printf("%-25s  %-16s  %s%n", PhotoCommands.printable(p.path("takenAt").asString("")),
                    PhotoCommands.printable(p.path("owner").asString("")), PhotoCommands.printable(p.path("path").asString("")));
        }
    }

    /**
     * The album named {@code nameOrId}: an album id as it is, or the name of one album this account
     * sees (its own ones first, so a name shared with this account by someone else does not hide its own).
     *
     * @throws CommandLine.ParameterException when no album, or more than one of the same kind, has that name
     */
    static String albumId(CommandLine commandLine, ServerApi api, String nameOrId) {
        try {
            return UUID.fromString(nameOrId).toString();
        } catch (IllegalArgumentException notAnId) {
            // a name, then
        }
        List<JsonNode> named = new java.util.ArrayList<>();
        api.albums().path("albums").forEach(a -> {
            if (a.path("name").asString("").equals(nameOrId)) {
                named.add(a);
            }
        });
        List<JsonNode> own = named.stream().filter(a -> "owner".equals(a.path("role").asString("owner"))).toList();
        List<JsonNode> candidates = own.isEmpty() ? named : own;
        if (candidates.isEmpty()) {
            throw new CommandLine.ParameterException(commandLine, "no album is named " + nameOrId + " (see `cumulus album list`)");
        }
        if (candidates.size() > 1) {
            throw new CommandLine.ParameterException(commandLine, candidates.size() + " albums are named " + nameOrId
                    + "; name it by its id (see `cumulus album list`)");
        }
        return candidates.getFirst().path("albumId").asString();
    }

    @Command(name = "album", mixinStandardHelpOptions = true, description = "Lists, shows and changes albums.",
            subcommands = {AlbumList.class, AlbumCreate.class, AlbumRename.class, AlbumDelete.class, AlbumAdd.class,
                    AlbumRemove.class, AlbumShow.class, AlbumShare.class, AlbumUnshare.class, AlbumLeave.class})
    static final class Album implements Runnable {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        DeviceConfig device() {
            return main.device();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the albums, newest first: this account's and those shared with it, with their owner and its role.")
    static final class AlbumList implements Callable<Integer> {
        @ParentCommand
        Album album;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            JsonNode albums = ClientMain.api(album.device()).albums();
            if (json) {
                System.out.println(JSON.writeValueAsString(albums));
                return 0;
            }
            System.out.printf("%-36s  %6s  %-16s  %-10s  %s%n", "ID", "PHOTOS", "OWNER", "ROLE", "NAME");
            for (JsonNode a : albums.get("albums")) {
                String role = a.path("role").asString("owner");
                String shown = "owner".equals(role) && a.path("shared").asBoolean(false) ? "owner, shared" : role;
                System.out.printf("%-36s  %6d  %-16s  %-10s  %s%n", a.get("albumId").asString(), a.get("count").asLong(),
                        PhotoCommands.printable(a.path("owner").asString("")), shown, PhotoCommands.printable(a.get("name").asString()));
            }
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an album.")
    static final class AlbumCreate implements Callable<Integer> {
        @ParentCommand
        Album album;

        @Parameters(paramLabel = "NAME", description = "1 to 200 characters")
        String name;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            ServerApi api = ClientMain.api(album.device());
            String key = "album-create-" + UUID.randomUUID(); // one per command: a retry makes no second album
            printAlbum(ClientMain.whenTaken(() -> api.createAlbum(name, key)), json);
            return 0;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Renames an album.")
    static final class AlbumRename implements Callable<Integer> {
        @ParentCommand
        Album album;

        @Parameters(index = "0", paramLabel = "ID", description = "the album, as `album list` shows it")
        String id;

        @Parameters(index = "1", paramLabel = "NAME", description = "its new name")
        String name;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            ServerApi api = ClientMain.api(album.device());
            printAlbum(ClientMain.whenTaken(() -> api.renameAlbum(id, name)), json);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes an album (its photos stay in the library).")
    static final class AlbumDelete implements Callable<Integer> {
        @ParentCommand
        Album album;

        @Parameters(paramLabel = "ID", description = "the album, as `album list` shows it")
        String id;

        @Override
        public Integer call() {
            ServerApi api = ClientMain.api(album.device());
            ClientMain.whenTaken(() -> {
                api.deleteAlbum(id);
                return id;
            });
            System.out.println("deleted album " + id);
            return 0;
        }
    }

    /** What `album add` and `album remove` share: an album, and photos named by their paths. */
    abstract static class AlbumPhotos implements Callable<Integer> {
        @ParentCommand
        Album album;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "the album, as `album list` shows it")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH", description = "photos: files in a synced folder, or paths on the server")
        List<String> paths;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        /** The change to the album, as the server answers it. */
        abstract JsonNode change(ServerApi api, List<String> fileIds);

        @Override
        public Integer call() {
            DeviceConfig device = album.device();
            ServerApi api = ClientMain.api(device);
            List<String> fileIds = PhotoCommands.fileIdsOf(spec.commandLine(), api, device, paths);
            printAlbum(ClientMain.whenTaken(() -> change(api, fileIds)), json);
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds photos at the end of an album.")
    static final class AlbumAdd extends AlbumPhotos {
        @Override
        JsonNode change(ServerApi api, List<String> fileIds) {
            return api.addToAlbum(id, fileIds);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Takes photos out of an album (they stay in the library).")
    static final class AlbumRemove extends AlbumPhotos {
        @Override
        JsonNode change(ServerApi api, List<String> fileIds) {
            return api.removeFromAlbum(id, fileIds);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows an album and its photos in order.")
    static final class AlbumShow implements Callable<Integer> {
        @ParentCommand
        Album album;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ALBUM", description = "the album: its name or id, as `album list` shows them")
        String id;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            ServerApi api = ClientMain.api(album.device());
            printAlbum(api.album(albumId(spec.commandLine(), api, id)), json);
            return 0;
        }
    }

    @Command(name = "share", mixinStandardHelpOptions = true,
            description = "Shares an album with another account, to view it or to contribute photos of their own library; "
                    + "sharing again with a member gives them the new role.")
    static final class AlbumShare implements Callable<Integer> {
        @ParentCommand
        Album album;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ALBUM", description = "the album: its name or id, as `album list` shows them")
        String name;

        @Parameters(index = "1", paramLabel = "USER", description = "the username of the account to share it with")
        String username;

        @Option(names = "--role", defaultValue = "view", description = "view or contribute (default ${DEFAULT-VALUE})")
        String role;

        @Override
        public Integer call() {
            if (!role.equals("view") && !role.equals("contribute")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--role is view or contribute, not " + role);
            }
            ServerApi api = ClientMain.api(album.device());
            String id = albumId(spec.commandLine(), api, name);
            JsonNode member = ClientMain.whenTaken(() -> api.shareAlbum(id, username, role));
            if ("accepted".equals(member.path("status").asString(""))) {
                System.out.println("accepted; it shows in a moment (album " + id + ")");
            } else {
                System.out.println("shared album " + PhotoCommands.printable(name) + " with "
                        + PhotoCommands.printable(member.path("username").asString(username)) + " (" + role + ")");
            }
            return 0;
        }
    }

    @Command(name = "unshare", mixinStandardHelpOptions = true,
            description = "Stops sharing an album with an account: it no longer sees the album, and the photos it contributed leave it.")
    static final class AlbumUnshare implements Callable<Integer> {
        @ParentCommand
        Album album;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ALBUM", description = "the album: its name or id, as `album list` shows them")
        String name;

        @Parameters(index = "1", paramLabel = "USER", description = "the username of the member")
        String username;

        @Override
        public Integer call() {
            ServerApi api = ClientMain.api(album.device());
            String id = albumId(spec.commandLine(), api, name);
            String accountId = null;
            for (JsonNode m : api.album(id).path("members")) {
                if (m.path("username").asString("").equalsIgnoreCase(username)) {
                    accountId = m.path("accountId").asString();
                }
            }
            if (accountId == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "album " + name + " is not shared with " + username);
            }
            String member = accountId;
            ClientMain.whenTaken(() -> {
                api.unshareAlbum(id, member);
                return id;
            });
            System.out.println("album " + PhotoCommands.printable(name) + " is no longer shared with " + PhotoCommands.printable(username));
            return 0;
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
            description = "Leaves an album another account shared with this one; the photos this account contributed leave it too.")
    static final class AlbumLeave implements Callable<Integer> {
        @ParentCommand
        Album album;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ALBUM", description = "the album: its name or id, as `album list` shows them")
        String name;

        @Override
        public Integer call() {
            ServerApi api = ClientMain.api(album.device());
            String id = albumId(spec.commandLine(), api, name);
            ClientMain.whenTaken(() -> {
                api.leaveAlbum(id);
                return id;
            });
            System.out.println("left album " + PhotoCommands.printable(name));
            return 0;
        }
    }
}
