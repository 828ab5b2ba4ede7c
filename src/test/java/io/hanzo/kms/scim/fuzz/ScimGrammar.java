package io.hanzo.kms.scim.fuzz;

import io.hanzo.kms.scim.fuzz.JsonText.Obj;
import io.hanzo.kms.scim.fuzz.JsonText.Raw;

import java.util.ArrayList;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Generates SCIM requests from the grammars of RFC 7643/7644 (resources, filters, PATCH, Bulk) and
 * mutates them: any value may become a hostile one (lone surrogates, NUL, numbers beyond double range,
 * deep nesting, huge strings, Unicode case-folding traps, wrong types), keys may be duplicated or
 * change case, structure may break. Deterministic for a given {@link Random}.
 */
final class ScimGrammar {
    static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    static final String SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    /** Strings that have broken servers: storage, case folding, escaping, size. */
    private static final String[] NASTY_TEXT = {
        "bad\ud800x", "\udc00", "x\ud800", "\ud83d", "nul\u0000x", "\u0000", "", " ", "  padded  ",
        "\u0131", "\u0130stanbul", "I\u0307", "stra\u00dfe", "STRASSE", "\u00df", "\u1e9e", "\u212a", "\u01c5",
        "\u03c3\u03c2\u03a3", "\ud83d\ude00", "\u202eevil", "\ufeffbom", "\\", "\"", "a\"b\\c", "line\nbreak",
        "tab\tx", "%00", "%s%n", "' OR '1'='1", "$ne", "${jndi:x}", "<script>", "\u00e9\u0301", "\uffff", "\ufffe",
    };
    private static final String[] NUMBERS = {
        "1e400", "-1e400", "1E-400", "123456789012345678901234567890", "-123456789012345678901234567890",
        "9223372036854775808", "-9223372036854775809", "-0", "0", "1.5", "4.9e-324", "1.7976931348623157e308", "42",
    };
    private static final String[] USER_ATTRS = {
        "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage",
        "locale", "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos", "addresses",
        "groups", "entitlements", "roles", "x509Certificates", "externalId", "id", "meta", "schemas",
    };
    private static final String[] SUB_ATTRS = {"value", "type", "primary", "display", "givenName", "familyName",
        "formatted", "streetAddress", "$ref", "manager", "employeeNumber", "department"};
    private static final String[] FILTER_ATTRS = {
        "userName", "USERNAME", "emails.value", "emails", "email.value", "emails.type", "emails.primary", "name.givenName",
        "name.familyName", "externalId", "id", "active", "title", "displayName", "members", "members.value",
        "meta.created", "meta.lastModified", "meta.resourceType", ENTERPRISE + ":employeeNumber",
        ENTERPRISE + ":manager.value", USER + ":userName", "groups.value", "x509Certificates.value", "addresses.postalCode",
        "nonsense", "name.nonsense", "a.b.c", "", "emails[type eq \"work\"].value",
    };
    private static final String[] COMPARE = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Eq", "pr", "xx"};

    private final Random rnd;
    private int serial;

    ScimGrammar(Random rnd) {
        this.rnd = rnd;
    }

    // ---- hostile values --------------------------------------------------------------------------

    /** Any hostile value: text, numbers, wrong types, deep nesting, huge strings. */
    Object nasty() {
        switch (rnd.nextInt(10)) {
            case 0, 1, 2:
                return NASTY_TEXT[rnd.nextInt(NASTY_TEXT.length)];
            case 3:
                return new Raw(NUMBERS[rnd.nextInt(NUMBERS.length)]);
            case 4:
                return switch (rnd.nextInt(6)) {
                    case 0 -> true;
                    case 1 -> false;
                    case 2 -> "True";
                    case 3 -> "FALSE";
                    case 4 -> "yes";
                    default -> JsonText.NULL;
                };
            case 5:
                return deep(new int[] {3, 40, 900, 1500, 5000}[rnd.nextInt(5)]);
            case 6:
                return huge();
            case 7:
                return rnd.nextBoolean() ? List.of() : obj();
            case 8:
                return List.of(nasty(), nasty());
            default:
                return obj("value", NASTY_TEXT[rnd.nextInt(NASTY_TEXT.length)], "VALUE", new Raw("1e400"));
        }
    }

    private Object deep(int depth) {
        Object v = rnd.nextBoolean() ? "x" : JsonText.NULL;
        for (int i = 0; i < depth; i++) {
            v = rnd.nextBoolean() ? List.of(v) : obj("a", v);
        }
        return v;
    }

    private String huge() {
        int n = new int[] {2_001, 3_000, 70_000, 300_000}[rnd.nextInt(4)];
        // Characters whose case mapping the JDK does in quadratic time: sigma, sharp s, dotted capital I.
        String unit = new String[] {"x", "\u00df", "\u03a3", "\u0130", "\u0391\u03a3 "}[rnd.nextInt(5)];
        return unit.repeat(n);
    }

    /** Usually {@code v}, sometimes (with probability {@code p}) a hostile value instead. */
    Object maybe(Object v, double p) {
        return rnd.nextDouble() < p ? nasty() : v;
    }

    String word() {
        return "w" + Integer.toString(rnd.nextInt(1 << 20), 36);
    }

    /** A fresh userName: unique in the run, sometimes with a case-folding trap in it. */
    String userName() {
        String base = "fz" + (serial++) + "." + word();
        return switch (rnd.nextInt(8)) {
            case 0 -> base + "\u0131";
            case 1 -> base + "\u0130";
            case 2 -> base + "\u00df";
            case 3 -> base.toUpperCase() + "@EXAMPLE.COM";
            default -> base + "@example.com";
        };
    }

    // ---- resources -------------------------------------------------------------------------------

    /** A User body, mutated with probability {@code p} per value. */
    Obj user(double p) {
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        if (rnd.nextInt(4) > 0) {
            add(f, "schemas", maybe(rnd.nextBoolean() ? List.of(USER) : List.of(USER, ENTERPRISE), p));
        }
        if (rnd.nextInt(10) > 0) {
            add(f, key("userName"), maybe(userName(), p));
        }
        if (rnd.nextBoolean()) {
            add(f, key("name"), maybe(obj(key("givenName"), maybe(word(), p), "familyName", maybe(word(), p),
                    "formatted", maybe(word(), p)), p));
        }
        if (rnd.nextBoolean()) {
            add(f, key("emails"), maybe(List.of(obj("value", maybe(word() + "@example.com", p), "type", maybe("work", p),
                    "primary", maybe(true, p))), p));
        }
        for (int i = rnd.nextInt(4); i > 0; i--) {
            String attr = USER_ATTRS[rnd.nextInt(USER_ATTRS.length)];
            add(f, key(attr), rnd.nextBoolean() ? nasty() : plausible(attr));
        }
        if (rnd.nextInt(5) == 0) {
            add(f, ENTERPRISE, maybe(obj("employeeNumber", maybe(word(), p), "manager", maybe(obj("value", word()), p),
                    "department", maybe(word(), p)), p));
        }
        if (rnd.nextInt(6) == 0) {
            add(f, ENTERPRISE + ":department", maybe(word(), p));
        }
        if (rnd.nextInt(8) == 0 && !f.isEmpty()) {
            // A duplicate key: the same attribute twice, a different value each time.
            Map.Entry<String, Object> e = f.get(rnd.nextInt(f.size()));
            add(f, rnd.nextBoolean() ? e.getKey() : e.getKey().toUpperCase(), nasty());
        }
        return new Obj(f);
    }

    private Object plausible(String attr) {
        return switch (attr) {
            case "active" -> rnd.nextBoolean();
            case "emails", "phoneNumbers", "ims", "photos", "entitlements", "roles", "x509Certificates" ->
                    List.of(obj("value", word(), "primary", rnd.nextBoolean()));
            case "addresses" -> List.of(obj("streetAddress", word(), "postalCode", word(), "type", "work"));
            case "name" -> obj("givenName", word());
            case "groups" -> List.of(obj("value", UUID.randomUUID().toString()));
            case "meta" -> obj("version", "W/\"1\"", "created", "2020-01-01T00:00:00Z");
            case "schemas" -> List.of(USER);
            default -> word();
        };
    }

    /** A Group body whose members are drawn from {@code ids} (other organisations' ids too) and junk. */
    Obj group(double p, List<String> ids) {
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        if (rnd.nextInt(4) > 0) {
            add(f, "schemas", maybe(List.of(GROUP), p));
        }
        if (rnd.nextInt(10) > 0) {
            add(f, key("displayName"), maybe("fzg" + (serial++) + word(), p));
        }
        if (rnd.nextBoolean()) {
            add(f, key("members"), maybe(members(p, ids), p));
        }
        if (rnd.nextInt(4) == 0) {
            add(f, key("externalId"), maybe(word(), p));
        }
        if (rnd.nextInt(6) == 0) {
            add(f, USER_ATTRS[rnd.nextInt(USER_ATTRS.length)], nasty());
        }
        return new Obj(f);
    }

    List<Object> members(double p, List<String> ids) {
        List<Object> out = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            Object id = ids.isEmpty() || rnd.nextInt(4) == 0 ? UUID.randomUUID().toString() : ids.get(rnd.nextInt(ids.size()));
            out.add(maybe(obj(key("value"), maybe(id, p), "display", maybe(word(), p), "type", maybe("User", p)), p));
        }
        return out;
    }

    // ---- PATCH ------------------------------------------------------------------------------------

    /** A PatchOp body for a user ({@code group} false) or a group. */
    Obj patch(double p, boolean group, List<String> ids) {
        List<Object> ops = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            ops.add(maybe(patchOperation(p, group, ids), p / 3));
        }
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        if (rnd.nextInt(5) > 0) {
            add(f, "schemas", maybe(List.of(PATCH_OP), p));
        }
        add(f, rnd.nextInt(6) == 0 ? "operations" : "Operations", maybe(ops, p / 3));
        return new Obj(f);
    }

    private Obj patchOperation(double p, boolean group, List<String> ids) {
        String op = new String[] {"add", "replace", "remove", "Add", "REPLACE", "Remove", "move", "", "copy"}[rnd.nextInt(9)];
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        add(f, rnd.nextInt(8) == 0 ? "OP" : "op", maybe(op, p / 2));
        Object value;
        if (group && rnd.nextBoolean()) {
            if (rnd.nextBoolean()) {
                add(f, "path", maybe(rnd.nextBoolean() ? "members"
                        : "members[value eq \"" + (ids.isEmpty() ? UUID.randomUUID() : ids.get(rnd.nextInt(ids.size()))) + "\"]", p));
            }
            value = members(p, ids);
        } else {
            if (rnd.nextInt(5) > 0) {
                add(f, "path", maybe(path(), p));
            }
            value = rnd.nextBoolean() ? word() : rnd.nextBoolean() ? user(p) : nasty();
        }
        if (rnd.nextInt(5) > 0) {
            add(f, "value", maybe(value, p));
        }
        return new Obj(f);
    }

    /** A PATCH path: attrPath, attrPath[valFilter], attrPath[valFilter].subAttr, URN-qualified, or broken. */
    String path() {
        String attr = rnd.nextBoolean() ? USER_ATTRS[rnd.nextInt(USER_ATTRS.length)] : FILTER_ATTRS[rnd.nextInt(FILTER_ATTRS.length)];
        return switch (rnd.nextInt(7)) {
            case 0 -> attr + "[" + filter(1) + "]";
            case 1 -> attr + "[" + filter(1) + "]." + SUB_ATTRS[rnd.nextInt(SUB_ATTRS.length)];
            case 2 -> attr + "." + SUB_ATTRS[rnd.nextInt(SUB_ATTRS.length)];
            case 3 -> mangle(attr + "[" + filter(1) + "]");
            case 4 -> ENTERPRISE + ":" + SUB_ATTRS[rnd.nextInt(SUB_ATTRS.length)];
            default -> attr;
        };
    }

    // ---- filters ----------------------------------------------------------------------------------

    /** A filter from the RFC 7644 grammar, {@code depth} levels of and/or/not at most. */
    String filter(int depth) {
        if (depth > 0 && rnd.nextInt(3) == 0) {
            return switch (rnd.nextInt(4)) {
                case 0 -> filter(depth - 1) + " and " + filter(depth - 1);
                case 1 -> filter(depth - 1) + (rnd.nextBoolean() ? " or " : " OR ") + filter(depth - 1);
                case 2 -> "not (" + filter(depth - 1) + ")";
                default -> "(" + filter(depth - 1) + ")";
            };
        }
        String attr = FILTER_ATTRS[rnd.nextInt(FILTER_ATTRS.length)];
        if (rnd.nextInt(6) == 0) {
            return attr + " pr";
        }
        if (rnd.nextInt(8) == 0) {
            return "emails[type eq \"work\" and value co \"" + text() + "\"]";
        }
        return attr + " " + COMPARE[rnd.nextInt(COMPARE.length)] + " " + compValue();
    }

    private String compValue() {
        return switch (rnd.nextInt(8)) {
            case 0 -> "true";
            case 1 -> "null";
            case 2 -> NUMBERS[rnd.nextInt(NUMBERS.length)];
            case 3 -> "\"2011-05-13T04:42:34Z\"";
            case 4 -> text();
            default -> "\"" + escape(text()) + "\"";
        };
    }

    private String text() {
        return rnd.nextBoolean() ? word() : NASTY_TEXT[rnd.nextInt(NASTY_TEXT.length)];
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A filter, sometimes broken: deep parentheses, cut short, stray characters. */
    String mutatedFilter() {
        String f = filter(2);
        return switch (rnd.nextInt(6)) {
            case 0 -> mangle(f);
            case 1 -> "(".repeat(new int[] {50, 600, 3000}[rnd.nextInt(3)]) + f + ")".repeat(rnd.nextInt(3) == 0 ? 0 : 600);
            case 2 -> "not (".repeat(200) + f + ")".repeat(200);
            case 3 -> f + " and " + f + " or " + huge();
            default -> f;
        };
    }

    String mangle(String s) {
        if (s.isEmpty()) {
            return "\"";
        }
        StringBuilder sb = new StringBuilder(s);
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            int at = rnd.nextInt(sb.length() + 1);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    String stray = "\"[]()\\ \u0000\ud800";
                    sb.insert(at, stray.charAt(rnd.nextInt(stray.length())));
                }
                case 1 -> {
                    if (sb.length() > 0 && at < sb.length()) {
                        sb.deleteCharAt(at);
                    }
                }
                case 2 -> sb.setLength(Math.min(sb.length(), at));
                default -> sb.insert(at, " and ");
            }
        }
        return sb.toString();
    }

    // ---- Bulk --------------------------------------------------------------------------------------

    /** A BulkRequest over users and groups, some operations referring to {@code ids} or bulkIds. */
    Obj bulk(double p, List<String> ids) {
        List<Object> ops = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(6); i > 0; i--) {
            String method = new String[] {"POST", "PUT", "PATCH", "DELETE", "post", "GET", ""}[rnd.nextInt(7)];
            boolean group = rnd.nextInt(3) == 0;
            String id = ids.isEmpty() || rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? "bulkId:b" + rnd.nextInt(4) : UUID.randomUUID().toString())
                    : ids.get(rnd.nextInt(ids.size()));
            String path = method.equalsIgnoreCase("POST") ? (group ? "/Groups" : "/Users")
                    : (group ? "/Groups/" : "/Users/") + id;
            Object data = method.equalsIgnoreCase("PATCH") ? patch(p, group, ids) : group ? group(p, ids) : user(p);
            List<Map.Entry<String, Object>> f = new ArrayList<>();
            add(f, "method", maybe(method, p / 2));
            add(f, "path", maybe(rnd.nextInt(10) == 0 ? mangle(path) : path, p / 2));
            if (rnd.nextBoolean()) {
                add(f, "bulkId", maybe("b" + rnd.nextInt(4), p / 2));
            }
            if (!method.equalsIgnoreCase("DELETE")) {
                add(f, "data", maybe(data, p / 3));
            }
            ops.add(maybe(new Obj(f), p / 4));
        }
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        if (rnd.nextInt(5) > 0) {
            add(f, "schemas", maybe(List.of(BULK_REQUEST), p));
        }
        if (rnd.nextBoolean()) {
            add(f, "failOnErrors", maybe(rnd.nextInt(5), p));
        }
        add(f, "Operations", maybe(ops, p / 3));
        return new Obj(f);
    }

    // ---- queries and headers -------------------------------------------------------------------

    /** Query parameters of a list request, each maybe present, maybe hostile, URL-encoded. */
    String listQuery() {
        List<String> params = new ArrayList<>();
        if (rnd.nextInt(4) > 0) {
            params.add("filter=" + enc(rnd.nextBoolean() ? filter(2) : mutatedFilter()));
        }
        if (rnd.nextInt(3) == 0) {
            params.add("startIndex=" + enc(numberish()));
        }
        if (rnd.nextInt(3) == 0) {
            params.add("count=" + enc(numberish()));
        }
        if (rnd.nextInt(4) == 0) {
            params.add("sortBy=" + enc(FILTER_ATTRS[rnd.nextInt(FILTER_ATTRS.length)]));
        }
        if (rnd.nextInt(5) == 0) {
            params.add("sortOrder=" + enc(new String[] {"ascending", "DESCENDING", "sideways", ""}[rnd.nextInt(4)]));
        }
        if (rnd.nextInt(4) == 0) {
            params.add((rnd.nextBoolean() ? "attributes=" : "excludedAttributes=")
                    + enc(FILTER_ATTRS[rnd.nextInt(FILTER_ATTRS.length)] + "," + text()));
        }
        if (rnd.nextInt(8) == 0) {
            params.add(enc(text()) + "=" + enc(text()));
        }
        if (rnd.nextInt(10) == 0) {
            params.add("filter=" + enc(filter(1)));
        }
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }

    /** A SearchRequest body for POST .search. */
    Obj search(double p) {
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        add(f, "schemas", maybe(List.of(SEARCH_REQUEST), p));
        if (rnd.nextInt(4) > 0) {
            add(f, "filter", maybe(rnd.nextBoolean() ? filter(2) : mutatedFilter(), p));
        }
        if (rnd.nextBoolean()) {
            add(f, "startIndex", maybe(rnd.nextInt(5), p));
        }
        if (rnd.nextBoolean()) {
            add(f, "count", maybe(rnd.nextInt(5), p));
        }
        if (rnd.nextInt(3) == 0) {
            add(f, "attributes", maybe(List.of(FILTER_ATTRS[rnd.nextInt(FILTER_ATTRS.length)]), p));
        }
        if (rnd.nextInt(3) == 0) {
            add(f, "sortBy", maybe(FILTER_ATTRS[rnd.nextInt(FILTER_ATTRS.length)], p));
        }
        return new Obj(f);
    }

    private String numberish() {
        return switch (rnd.nextInt(6)) {
            case 0 -> NUMBERS[rnd.nextInt(NUMBERS.length)];
            case 1 -> "-" + rnd.nextInt(10);
            case 2 -> text();
            default -> Integer.toString(rnd.nextInt(20));
        };
    }

    /** A Content-Type, usually acceptable, sometimes not, sometimes missing (null). */
    String contentType() {
        return new String[] {"application/scim+json", "application/json", "application/scim+json; charset=utf-8",
            "application/json;charset=ISO-8859-1", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
            "application/scim+json; charset=\"x", "*/*", null}[rnd.nextInt(10)];
    }

    /** An If-Match value: well formed, weak, a list, a star, or junk. */
    String ifMatch() {
        return new String[] {"W/\"1\"", "\"1\"", "*", "W/\"999999999999999999999\"", "W/", "\"", "W/\"1\", W/\"2\"",
            "garbage", ""}[rnd.nextInt(9)];
    }

    /** An Accept value. */
    String accept() {
        return new String[] {"application/scim+json", "application/json", "text/html", "*/*", "application/xml",
            "application/scim+json;q=0.1, text/plain"}[rnd.nextInt(6)];
    }

    private static String enc(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(java.net.URLEncoder.encode(s.substring(i, i + 2), java.nio.charset.StandardCharsets.UTF_8));
                i++;
            } else if (Character.isSurrogate(c)) {
                // What a client that encodes UTF-16 code units blindly sends: CESU-style bytes.
                sb.append(String.format("%%%02X%%%02X%%%02X", 0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F)));
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') {
                sb.append(c);
            } else {
                sb.append(java.net.URLEncoder.encode(String.valueOf(c), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return sb.toString();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** The attribute name, sometimes in another letter case (attribute names are case-insensitive). */
    private String key(String name) {
        return switch (rnd.nextInt(8)) {
            case 0 -> name.toUpperCase(java.util.Locale.ROOT);
            case 1 -> name.toLowerCase(java.util.Locale.ROOT);
            default -> name;
        };
    }

    private static void add(List<Map.Entry<String, Object>> fields, String key, Object value) {
        fields.add(new AbstractMap.SimpleEntry<>(key, value));
    }

    static Obj obj(Object... keysAndValues) {
        List<Map.Entry<String, Object>> f = new ArrayList<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            add(f, (String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new Obj(f);
    }
}
