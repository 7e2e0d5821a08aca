package io.cumulus.client.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * The photo library: {@code photos} (the timeline) and {@code favourite} / {@code unfavourite};
 * albums are {@link AlbumCommands}. A photo is named by its path: a file inside a synced folder (its id comes from
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
        if (located.isPresent()) {
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
            String camera = p.path("camera").isString() ? printable(p.get("camera").asString()) : "";
            String state = "ready".equals(p.path("state").asString("")) ? "" : "  (" + printable(p.path("state").asString(""))
                    + (p.path("reason").isString() ? ": " + printable(p.get("reason").asString()) : "") + ")";
            System.out.printf("%-25s  %-11s  %-24s  %s%s%s%n", printable(p.path("takenAt").asString("")), size, camera,
                    printable(p.path("path").asString("")), p.path("favourite").asBoolean(false) ? "  *" : "", state);
        }
    }

    /**
     * Text from a photo (its camera and lens come from its EXIF, written by whoever made the file) as it
     * may reach a terminal: control characters, escape sequences among them, shown as {@code ?}.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
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

    /** What `favourite` and `unfavourite` share: one photo, marked or unmarked. */
    abstract static class Marking implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the photo: a file in a synced folder, or its path on the server")
        String path;

        /** Whether the command marks the photo a favourite (or takes it out of them). */
        abstract boolean favourite();

        @Override
        public Integer call() {
            return mark(main, spec, path, favourite());
        }
    }

    @Command(name = "favourite", mixinStandardHelpOptions = true, description = "Marks a photo as a favourite.")
    static final class Favourite extends Marking {
        @Override
        boolean favourite() {
            return true;
        }
    }

    @Command(name = "unfavourite", mixinStandardHelpOptions = true, description = "Takes a photo out of the favourites.")
    static final class Unfavourite extends Marking {
        @Override
        boolean favourite() {
            return false;
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
}
