package io.hanzo.kms.scim.load;

import java.util.List;
import java.util.function.IntFunction;

/** Request bodies as identity providers send them, built as text (no JSON tree on the hot path). */
public final class Payloads {
    public static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    public static final String ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    public static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public static final String BULK_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    public static final String DOMAIN = "@bench.example.com";

    private Payloads() {
    }

    /** userName and work email of user {@code i} of a simulation; {@code prefix} tells simulations apart. */
    public static String userName(String prefix, int i) {
        return prefix + "." + digits(i, 7) + DOMAIN;
    }

    public static String externalId(String prefix, int i) {
        return "ext-" + prefix + "-" + digits(i, 7);
    }

    /**
     * A user as PingOne or Entra creates one: core and enterprise schemas, name, display name, one work
     * email equal to the userName, a phone number, title and department. {@code revision} changes the
     * mutable fields, as an update from the directory would.
     */
    public static String user(String prefix, int i, int revision) {
        String given = "Given" + i;
        String family = "Family" + (i % 9973);
        String display = given + " " + family + (revision == 0 ? "" : " r" + revision);
        String userName = userName(prefix, i);
        StringBuilder b = new StringBuilder(720);
        b.append("{\"schemas\":[\"").append(USER_SCHEMA).append("\",\"").append(ENTERPRISE_SCHEMA).append("\"],");
        b.append("\"userName\":\"").append(userName).append("\",");
        b.append("\"externalId\":\"").append(externalId(prefix, i)).append("\",");
        b.append("\"name\":{\"givenName\":\"").append(given).append("\",\"familyName\":\"").append(family)
                .append("\",\"formatted\":\"").append(given).append(' ').append(family).append("\"},");
        b.append("\"displayName\":\"").append(display).append("\",");
        b.append("\"title\":\"").append(revision % 2 == 0 ? "Engineer" : "Senior Engineer").append("\",");
        b.append("\"emails\":[{\"value\":\"").append(userName).append("\",\"type\":\"work\",\"primary\":true}],");
        b.append("\"phoneNumbers\":[{\"value\":\"+1 555 ").append(digits(i, 7)).append("\",\"type\":\"work\"}],");
        b.append("\"").append(ENTERPRISE_SCHEMA).append("\":{\"employeeNumber\":\"").append(i)
                .append("\",\"department\":\"Department ").append(i % 50)
                .append("\",\"organization\":\"Bench\"}}");
        return b.toString();
    }

    /** A display name for what {@link #user} sends at that revision. */
    public static String displayName(int i, int revision) {
        return "Given" + i + " Family" + (i % 9973) + (revision == 0 ? "" : " r" + revision);
    }

    public static String groupName(String prefix, int g) {
        return "CN=" + prefix + "-group-" + digits(g, 4) + ",OU=Groups,DC=bench,DC=example";
    }

    /** A new group without members (PingOne creates the group, then pushes members with PATCH). */
    public static String group(String prefix, int g) {
        return "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\"" + groupName(prefix, g)
                + "\",\"externalId\":\"gext-" + prefix + "-" + g + "\",\"members\":[]}";
    }

    /** PATCH adding members; {@code ids} gives the member id of each position. */
    public static String addMembers(int from, int to, IntFunction<String> ids) {
        StringBuilder b = new StringBuilder(64 + (to - from) * 52);
        b.append("{\"schemas\":[\"").append(PATCH_SCHEMA).append("\"],\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[");
        for (int i = from; i < to; i++) {
            if (i > from) {
                b.append(',');
            }
            b.append("{\"value\":\"").append(ids.apply(i)).append("\"}");
        }
        return b.append("]}]}").toString();
    }

    /** Entra's single-member add: capitalised op and "$ref": null. */
    public static String entraAdd(String id) {
        return "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"Add\",\"path\":\"members\","
                + "\"value\":[{\"$ref\":null,\"value\":\"" + id + "\"}]}]}";
    }

    /** Entra's single-member removal. */
    public static String entraRemove(String id) {
        return "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"Remove\",\"path\":\"members\","
                + "\"value\":[{\"value\":\"" + id + "\"}]}]}";
    }

    /** Okta's deactivation: a path-less replace. */
    public static String deactivate() {
        return "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":false}}]}";
    }

    /** One operation of a bulk request; {@code data} is JSON or null. */
    public static String bulkOp(String method, String bulkId, String path, String data) {
        StringBuilder b = new StringBuilder(data == null ? 96 : data.length() + 96);
        b.append("{\"method\":\"").append(method).append('"');
        if (bulkId != null) {
            b.append(",\"bulkId\":\"").append(bulkId).append('"');
        }
        b.append(",\"path\":\"").append(path).append('"');
        if (data != null) {
            b.append(",\"data\":").append(data);
        }
        return b.append('}').toString();
    }

    public static String bulk(List<String> operations) {
        StringBuilder b = new StringBuilder(operations.size() * 800 + 96);
        b.append("{\"schemas\":[\"").append(BULK_SCHEMA).append("\"],\"Operations\":[");
        for (int i = 0; i < operations.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(operations.get(i));
        }
        return b.append("]}").toString();
    }

    /**
     * {@code n} (not negative) in decimal, zero-padded to {@code width} digits: what
     * {@code String.format("%0<width>d", n)} gives, without parsing a format per request.
     */
    static String digits(int n, int width) {
        String d = Integer.toString(n);
        return d.length() >= width ? d : "0".repeat(width - d.length()) + d;
    }

    /** SCIM filter value quoting. */
    public static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
