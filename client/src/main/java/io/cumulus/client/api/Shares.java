package io.cumulus.client.api;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The shares API's answers as the client reads them (decision 0030): a share is a namespace of
 * kind shared that each member mounts at a path of their own synced folder.
 */
public final class Shares {
    private Shares() {
    }

    /** One share the account is a member of: its role ("owner", "editor", "viewer") and where it is mounted. */
    public record Entry(String shareId, String name, String role, String owner, String mountPath) {
        /** A viewer only reads: nothing of its folder is ever sent. */
        public boolean readOnly() {
            return "viewer".equals(role);
        }
    }

    /** An invitation the account has not answered yet. */
    public record Invitation(String shareId, String name, String role, String invitedBy, String invitedAt) {
    }

    /** The account's shares and pending invitations ({@code GET /v1/shares}). */
    public record Listing(List<Entry> shares, List<Invitation> invitations) {
    }

    /** A member of a share. */
    public record Member(String accountId, String username, String role) {
    }

    /** A pending invitation as the owner sees it. */
    public record Invited(String username, String role) {
    }

    /** One share in full ({@code GET /v1/shares/{id}}); {@code invitations} are the owner's to see (empty otherwise). */
    public record Details(Entry share, List<Member> members, List<Invited> invitations) {
    }

    static Entry entry(JsonNode n) {
        return new Entry(text(n, "shareId"), text(n, "name"), text(n, "role"), text(n, "owner"), text(n, "mountPath"));
    }

    static Listing listing(JsonNode n) {
        List<Entry> shares = new ArrayList<>();
        for (JsonNode s : n.path("shares")) {
            shares.add(entry(s));
        }
        List<Invitation> invitations = new ArrayList<>();
        for (JsonNode i : n.path("invitations")) {
            invitations.add(new Invitation(text(i, "shareId"), text(i, "name"), text(i, "role"), text(i, "invitedBy"),
                    text(i, "invitedAt")));
        }
        return new Listing(shares, invitations);
    }

    static Details details(JsonNode n) {
        List<Member> members = new ArrayList<>();
        for (JsonNode m : n.path("members")) {
            members.add(new Member(text(m, "accountId"), text(m, "username"), text(m, "role")));
        }
        List<Invited> invited = new ArrayList<>();
        for (JsonNode i : n.path("invitations")) {
            invited.add(new Invited(text(i, "username"), text(i, "role")));
        }
        return new Details(entry(n), members, invited);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
