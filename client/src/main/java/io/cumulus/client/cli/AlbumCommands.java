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
 * {@code album list|create|rename|delete|add|remove|show}: the photo library's albums. Photos are
 * named by path, as for {@link PhotoCommands}; every change prints the album as the server then has it.
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
        if (album.has("photos")) {
            PhotoCommands.printPhotos(album.get("photos"));
        }
    }

    @Command(name = "album", mixinStandardHelpOptions = true, description = "Lists, shows and changes albums.",
            subcommands = {AlbumList.class, AlbumCreate.class, AlbumRename.class, AlbumDelete.class, AlbumAdd.class,
                    AlbumRemove.class, AlbumShow.class})
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

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the albums, newest first.")
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
            System.out.printf("%-36s  %6s  %s%n", "ID", "PHOTOS", "NAME");
            for (JsonNode a : albums.get("albums")) {
                System.out.printf("%-36s  %6d  %s%n", a.get("albumId").asString(), a.get("count").asLong(),
                        PhotoCommands.printable(a.get("name").asString()));
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

        @Parameters(paramLabel = "ID", description = "the album, as `album list` shows it")
        String id;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            printAlbum(ClientMain.api(album.device()).album(id), json);
            return 0;
        }
    }
}
