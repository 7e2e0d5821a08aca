package io.cumulus.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.state.LocalState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The photo library: {@code photos} (the timeline), {@code album ...} and {@code favourite} /
 * {@code unfavourite}. A photo is named by its path: a file inside a synced folder (its id comes from
 * the folder's sync state), or a path within the account's files as the server has it ({@code Photos/a.jpg}).
 */
final class PhotoCommands {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PhotoCommands() {
    }

    /** The file id of a photo named by a path: through the synced folder's state when it is in one, else the server's listing. */
    static String fileIdOf(CommandLine cli, ServerApi api, DeviceConfig device, String path) {
        Optional<HistoryCommands.Located> located = HistoryCommands.locate(Path.of(path));
        String remotePath = path;
        if (located.isPresent() && Files.exists(Path.of(path))) {
            try (LocalState state = LocalState.open(located.get().folder())) {
                Optional<LocalState.SyncedFile> synced = state.byPath(located.get().path());
                if (synced.isPresent()) {
                    return synced.get().fileId();
                }
            }
            remotePath = located.get().path();
        }
        String wanted = remotePath;
        return api.files(device.homeNamespace(), wanted).stream().filter(f -> f.path().equals(wanted)).findFirst()
                .map(f -> f.fileId())
                .orElseThrow(() -> new CommandLine.ParameterException(cli, path + " is no file of this account"));
    }

    static List<String> fileIdsOf(CommandLine cli, ServerApi api, DeviceConfig device, List<String> paths) {
        List<String> ids = new ArrayList<>();
        for (String p : paths) {
            ids.add(fileIdOf(cli, api, device, p));
        }
        return ids;
    }

    /** One line per photo: when it was taken, its size, camera, path; {@code *} marks a favourite. */
    static void printPhotos(JsonNode photos) {
        System.out.printf("%-25s  %-11s  %-24s  %s%n", "TAKEN AT", "SIZE", "CAMERA", "PATH");
        for (JsonNode p : photos) {
            String size = p.path("width").isNumber() ? p.get("width").asInt() + "x" + p.path("height").asInt() : "?";
            String camera = p.path("camera").isString() ? p.get("camera").asString() : "";
            String state = "ready".equals(p.path("state").asString("")) ? "" : "  (" + p.path("state").asString("")
                    + (p.path("reason").isString() ? ": " + p.get("reason").asString() : "") + ")";
            System.out.printf("%-25s  %-11s  %-24s  %s%s%s%n", p.path("takenAt").asString(""), size, camera,
                    p.path("path").asString(""), p.path("favourite").asBoolean(false) ? "  *" : "", state);
        }
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
        System.out.println(album.path("name").asString("") + "  (" + album.path("count").asLong(0) + " photos, id "
                + album.path("albumId").asString("") + ")");
        if (album.has("photos")) {
            printPhotos(album.get("photos"));
        }
    }

    @Command(name = "photos", mixinStandardHelpOptions = true,
            description = "Lists the photo library's timeline, newest first, a page at a time.")
    static final class Photos implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @Option(names = "--limit", defaultValue = "100", description = "photos per page, 1 to 500 (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--before", description = "the page after this cursor (as the previous page printed it)")
        String before;

        @Option(names = "--favourites", description = "only favourites")
        boolean favourites;

        @Option(names = "--json", description = "the server's JSON as it is")
        boolean json;

        @Override
        public Integer call() {
            JsonNode page = ClientMain.api(main.device()).photos(Optional.ofNullable(before), limit, favourites);
            if (json) {
                System.out.println(JSON.writeValueAsString(page));
                return 0;
            }
            printPhotos(page.get("photos"));
            JsonNode next = page.get("nextCursor");
            if (next != null && next.isString()) {
                System.out.println("more: cumulus photos --before " + next.asString() + (favourites ? " --favourites" : "")
                        + (limit != 100 ? " --limit " + limit : ""));
            }
            return 0;
        }
    }

    @Command(name = "favourite", mixinStandardHelpOptions = true, description = "Marks a photo as a favourite.")
    static final class Favourite implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the photo: a file in a synced folder, or its path on the server")
        String path;

        @Override
        public Integer call() {
            return mark(main, spec, path, true);
        }
    }

    @Command(name = "unfavourite", mixinStandardHelpOptions = true, description = "Takes a photo out of the favourites.")
    static final class Unfavourite implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the photo: a file in a synced folder, or its path on the server")
        String path;

        @Override
        public Integer call() {
            return mark(main, spec, path, false);
        }
    }

    private static int mark(ClientMain main, CommandLine.Model.CommandSpec spec, String path, boolean favourite) {
        DeviceConfig device = main.device();
        ServerApi api = ClientMain.api(device);
        String fileId = fileIdOf(spec.commandLine(), api, device, path);
        ClientMain.whenTaken(() -> api.favourite(fileId, favourite));
        System.out.println((favourite ? "favourite: " : "no longer a favourite: ") + path);
        return 0;
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
                System.out.printf("%-36s  %6d  %s%n", a.get("albumId").asString(), a.get("count").asLong(), a.get("name").asString());
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

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds photos at the end of an album.")
    static final class AlbumAdd implements Callable<Integer> {
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

        @Override
        public Integer call() {
            DeviceConfig device = album.device();
            ServerApi api = ClientMain.api(device);
            List<String> fileIds = fileIdsOf(spec.commandLine(), api, device, paths);
            printAlbum(ClientMain.whenTaken(() -> api.addToAlbum(id, fileIds)), json);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Takes photos out of an album (they stay in the library).")
    static final class AlbumRemove implements Callable<Integer> {
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

        @Override
        public Integer call() {
            DeviceConfig device = album.device();
            ServerApi api = ClientMain.api(device);
            List<String> fileIds = fileIdsOf(spec.commandLine(), api, device, paths);
            printAlbum(ClientMain.whenTaken(() -> api.removeFromAlbum(id, fileIds)), json);
            return 0;
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
