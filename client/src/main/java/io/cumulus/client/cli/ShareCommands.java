package io.cumulus.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.api.Shares;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.LocalState;
import io.cumulus.sync.path.SyncPath;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code share create|list|show|invite|accept|decline|leave|remove|role|transfer|withdraw}: shared
 * folders (decision 0030). A share is mounted at a folder of the synced folder; the next sync
 * mounts it, moves its files there, and keeps it. Members are named by username; their account id
 * is looked up in the share's member list.
 */
final class ShareCommands {
    private ShareCommands() {
    }

    @Command(name = "share", mixinStandardHelpOptions = true,
            description = "Shares folders with other accounts: create, invite, accept, leave, and manage members.",
            subcommands = {Create.class, ListShares.class, Show.class, Invite.class, Accept.class, Decline.class, Leave.class,
                    Remove.class, Role.class, Transfer.class, Withdraw.class})
    static final class Share implements Runnable {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        ServerApi api() {
            return ClientMain.api(main.device());
        }
    }

    /** The server's refusal in words a person can act on; anything else as it came. */
    static RuntimeException refused(ApiException e, String shareId) {
        String type = e.problemType() == null ? "" : e.problemType();
        String message = switch (e.status()) {
            case 404 -> type.endsWith("share-not-found") || type.isEmpty()
                    ? "no share " + shareId + " that you are a member of (or no such member or invitation)"
                    : e.getMessage();
            case 403 -> "only the owner of share " + shareId + " can do that (" + e.getMessage() + ")";
            case 409 -> type.endsWith("mount-path-taken")
                    ? "that folder is taken: another share is mounted there, inside it or around it (" + e.getMessage() + ")"
                    : "refused: " + e.getMessage();
            default -> null;
        };
        return message == null ? e : new IllegalStateException(message);
    }

    /** Runs a call to the server, with its refusals in words. */
    static <T> T asked(String shareId, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw refused(e, shareId);
        }
    }

    /** The synced folder {@code path} is in (the nearest folder above it with a sync state), and the path within it. */
    record InFolder(Path folder, String path) {
    }

    static InFolder inSyncedFolder(CommandLine cli, Path path) {
        Path abs = path.toAbsolutePath().normalize();
        for (Path p = abs.getParent(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(LocalState.STATE_DIR).resolve("state.db"))) {
                String rel = FolderScanner.relativePath(p, abs);
                try {
                    SyncPath.parse(rel);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cli, path + " cannot be a shared folder: " + e.getMessage());
                }
                for (String segment : rel.split("/")) {
                    if (FolderScanner.isReservedName(segment)) {
                        throw new CommandLine.ParameterException(cli, path + " is inside the client's own state directory");
                    }
                }
                return new InFolder(p, rel);
            }
        }
        throw new CommandLine.ParameterException(cli, path + " is not inside a synced folder (run `cumulus sync DIR` first; "
                + "a share is mounted at a folder inside DIR)");
    }

    /** The account id of {@code username} among the share's members. */
    static String memberId(ServerApi api, String shareId, String username) {
        Shares.Details d = asked(shareId, () -> api.share(shareId));
        return d.members().stream().filter(m -> m.username().equals(username)).map(Shares.Member::accountId).findFirst()
                .orElseThrow(() -> new IllegalStateException(username + " is not a member of share " + shareId
                        + " (`cumulus share show " + shareId + "` lists them)"));
    }

    static String role(CommandLine cli, String role) {
        if (!role.equals("viewer") && !role.equals("editor")) {
            throw new CommandLine.ParameterException(cli, "the role is viewer or editor, not " + role);
        }
        return role;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Shares PATH, a folder inside the synced folder, as a new share mounted there; the next sync moves "
                    + "its files into the share (each leaves the home folder once the share has it).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(paramLabel = "PATH")
        Path path;

        @Option(names = "--name", description = "the share's name (default: the folder's name)")
        String name;

        @Override
        public Integer call() {
            InFolder in = inSyncedFolder(share.spec.commandLine(), path);
            if (Files.exists(path) && !Files.isDirectory(path)) {
                throw new CommandLine.ParameterException(share.spec.commandLine(), path + " is not a folder");
            }
            String shareName = name != null ? name : path.toAbsolutePath().normalize().getFileName().toString();
            Shares.Entry e = asked("", () -> share.api().createShare(shareName, in.path()));
            System.out.println("created share " + e.name() + " (" + e.shareId() + "), mounted at " + in.path()
                    + "; the next sync moves its files into it");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists your shares and pending invitations.")
    static final class ListShares implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Override
        public Integer call() {
            Shares.Listing l = share.api().shares();
            System.out.println("shares: " + l.shares().size());
            for (Shares.Entry e : l.shares()) {
                System.out.printf("  %s  %-20s  %-6s  owner %-12s  at %s%n", e.shareId(), e.name(), e.role(), e.owner(), e.mountPath());
            }
            System.out.println("invitations: " + l.invitations().size()
                    + (l.invitations().isEmpty() ? "" : " (`cumulus share accept ID --at PATH` or `share decline ID`)"));
            for (Shares.Invitation i : l.invitations()) {
                System.out.printf("  %s  %-20s  %-6s  from %s  %s%n", i.shareId(), i.name(), i.role(), i.invitedBy(),
                        i.invitedAt() == null ? "" : i.invitedAt());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a share, its members and (to its owner) its invitations.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            Shares.Details d = asked(id, () -> share.api().share(id));
            System.out.println(d.share().name() + " (" + d.share().shareId() + "), owner " + d.share().owner() + ", your role "
                    + d.share().role() + ", mounted at " + d.share().mountPath());
            System.out.println("members: " + d.members().size());
            d.members().forEach(m -> System.out.printf("  %-20s  %-6s  %s%n", m.username(), m.role(), m.accountId()));
            if (!d.invitations().isEmpty()) {
                System.out.println("invited: " + d.invitations().size());
                d.invitations().forEach(i -> System.out.printf("  %-20s  %s%n", i.username(), i.role()));
            }
            return 0;
        }
    }

    @Command(name = "invite", mixinStandardHelpOptions = true, description = "Invites USER to share ID as viewer or editor (owner only).")
    static final class Invite implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Option(names = "--role", required = true, description = "viewer or editor")
        String role;

        @Override
        public Integer call() {
            String r = role(share.spec.commandLine(), role);
            asked(id, () -> {
                share.api().invite(id, user, r);
                return null;
            });
            System.out.println("invited " + user + " to share " + id + " as " + r + " (if that account exists)");
            return 0;
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true,
            description = "Accepts the invitation to share ID and mounts it at PATH, a folder inside the synced folder.")
    static final class Accept implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--at", required = true, paramLabel = "PATH", description = "where the share appears in your synced folder")
        Path at;

        @Override
        public Integer call() {
            InFolder in = inSyncedFolder(share.spec.commandLine(), at);
            Shares.Entry e = asked(id, () -> share.api().acceptShare(id, in.path()));
            System.out.println("accepted share " + (e.name() == null ? id : e.name()) + " as " + e.role() + ", mounted at "
                    + in.path() + "; the next sync brings its files");
            return 0;
        }
    }

    @Command(name = "decline", mixinStandardHelpOptions = true, description = "Declines the invitation to share ID.")
    static final class Decline implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            asked(id, () -> {
                share.api().declineShare(id);
                return null;
            });
            System.out.println("declined share " + id);
            return 0;
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
            description = "Leaves share ID (not its owner); its folder stays on disk as it is and stops syncing.")
    static final class Leave implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            asked(id, () -> {
                share.api().leaveShare(id);
                return null;
            });
            System.out.println("left share " + id + "; its folder stays as it is and no longer syncs");
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes member USER from share ID (owner only).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Override
        public Integer call() {
            ServerApi api = share.api();
            String account = memberId(api, id, user);
            asked(id, () -> {
                api.removeMember(id, account);
                return null;
            });
            System.out.println("removed " + user + " from share " + id);
            return 0;
        }
    }

    @Command(name = "role", mixinStandardHelpOptions = true, description = "Makes member USER of share ID a viewer or an editor (owner only).")
    static final class Role implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Parameters(index = "2", paramLabel = "viewer|editor")
        String role;

        @Override
        public Integer call() {
            String r = role(share.spec.commandLine(), role);
            ServerApi api = share.api();
            String account = memberId(api, id, user);
            asked(id, () -> {
                api.changeRole(id, account, r);
                return null;
            });
            System.out.println(user + " is now " + r + " of share " + id);
            return 0;
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true,
            description = "Makes member USER the owner of share ID; you stay as editor (owner only).")
    static final class Transfer implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Override
        public Integer call() {
            ServerApi api = share.api();
            String account = memberId(api, id, user);
            asked(id, () -> {
                api.transferShare(id, account);
                return null;
            });
            System.out.println(user + " now owns share " + id + "; you are an editor of it");
            return 0;
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true, description = "Withdraws the invitation of USER to share ID (owner only).")
    static final class Withdraw implements Callable<Integer> {
        @ParentCommand
        Share share;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Override
        public Integer call() {
            asked(id, () -> {
                share.api().withdrawInvitation(id, user);
                return null;
            });
            System.out.println("withdrew the invitation of " + user + " to share " + id);
            return 0;
        }
    }
}
