package io.hanzo.kms.scim.index;

import static io.hanzo.kms.scim.index.UserDocumentsTest.CODEC;
import static io.hanzo.kms.scim.index.UserDocumentsTest.RENDERER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.resource.ResourceSorter;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.StoredUser;
import io.hanzo.kms.scim.store.UserRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A scan reads only the members its filter and sort need from each packed document; its pages are
 * those of the filter interpreted and the order applied on every user's whole representation, its
 * {@code groups} included, which the group index holds and the packed document does not.
 */
class UserQueryScanTest {
    private static final String ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final UUID ORG = UUID.randomUUID();
    private static final ResourceNormalizer NORMALIZER = new ResourceNormalizer(UserSchemas.USER);
    private static final FilterEvaluator EVALUATOR = new FilterEvaluator(UserSchemas.USER);
    private static final String GROUPS_URL = "https://kms.example.com/Groups";
    private static final UserQuery QUERY = new UserQuery(EVALUATOR, new GroupsAttribute(GROUPS_URL));
    private static final UUID ENGINEERING = Ids.newId();
    private static final UUID SALES = Ids.newId();
    private static final UUID OPS = Ids.newId();
    private static final Map<UUID, String> GROUP_NAMES = Map.of(ENGINEERING, "Engineering", SALES, "Sales Team",
            OPS, "eng-Ops");

    private static final List<String> FILTERS = List.of(
            "userName co \"ENG\"", "USERNAME sw \"u1\"", "displayName ew \"3\"", "title pr", "not (title pr)",
            "title eq null", "nickName ne null", "active eq false", "active ne true",
            "emails[type eq \"home\" and primary eq true]", "Emails[TYPE eq \"work\"].value co \"1@\"",
            "emails.value ew \".org\"", "name.familyName eq \"family2\"", "NAME.GIVENNAME pr",
            "meta.lastModified gt \"2026-01-01T00:00:20Z\"", "meta.lastModified le \"2026-01-01T00:00:07.5Z\"",
            "meta.created eq \"2025-06-01T00:00:00Z\"", "meta.resourceType eq \"User\"", "meta.version eq \"W/\\\"2\\\"\"",
            "meta.location co \"/Users/\"",
            ENT + ":department sw \"dep\"", ENT.toUpperCase() + ":MANAGER.value pr", "department pr", "not (department pr)",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName ew \"x.com\"",
            "phoneNumbers pr or addresses[country eq \"US\"]", "x509Certificates pr",
            "title co \"senior\" or name.familyName eq \"Family0\" or name.familyName eq \"Family5\"",
            "not (userName co \"1\") and (emails pr or " + ENT + ":employeeNumber gt \"20\")",
            "groups.value eq \"" + ENGINEERING + "\"", "groups[value eq \"" + SALES + "\"]", "groups eq \"" + OPS + "\"",
            "groups pr", "not (groups pr)", "groups.display eq \"ENGINEERING\"", "groups.display sw \"eng\"",
            "groups.display co \" team\"", "groups.type eq \"direct\"", "groups.$ref ew \"" + SALES + "\"",
            "groups.value eq \"" + ENGINEERING.toString().toUpperCase() + "\"",
            "groups.value eq \"" + ENGINEERING + "\" and title pr",
            "groups.value eq \"" + ENGINEERING + "\" or groups[display eq \"sales team\"]",
            "groups[value eq \"" + OPS + "\" and type eq \"direct\"] and not (groups.display eq \"Engineering\")",
            "not (groups.value eq \"" + SALES + "\") and userName sw \"u1\"",
            "groups.value ne \"" + SALES + "\"", "groups[value ne \"" + ENGINEERING + "\"]", "emails.type ne \"work\"",
            "emails.value ne \"w1@x.com\"");

    private static final List<String> SORTS = List.of("userName", "name.familyName", "emails", "emails.type", "title",
            "meta.lastModified", ENT + ":department", "department", "active", "nickName", "groups", "groups.display");

    @Test
    void filteredPagesAreThoseOfTheWholeDocuments() {
        int nonEmpty = 0;
        for (String text : FILTERS) {
            Filter filter = FilterResolver.parse(text, UserSchemas.USER);
            for (int[] page : new int[][] {{1, 100}, {3, 4}, {1, 0}}) {
                UserQuery.Page actual = QUERY.run(index(), GROUPS, filter, null, page[0], page[1]);
                assertThat(describe(actual)).as("%s from %d, %d", text, page[0], page[1])
                        .isEqualTo(expected(filter, null, page[0], page[1]));
                nonEmpty += actual.totalResults() > 0 && actual.totalResults() < USERS ? 1 : 0;
            }
        }
        // Filters that tell users apart, so that a page read from the wrong members would show.
        assertThat(nonEmpty).isGreaterThanOrEqualTo(FILTERS.size() * 3 * 3 / 4);
    }

    @Test
    void sortedPagesAreThoseOfTheWholeDocuments() {
        for (String sortBy : SORTS) {
            for (String direction : List.of("ascending", "descending")) {
                Comparator<JsonNode> order = ResourceSorter.comparator(UserSchemas.USER, sortBy, direction);
                for (String text : new String[] {null, "title pr", "meta.lastModified gt \"2026-01-01T00:00:10Z\""}) {
                    Filter filter = text == null ? null : FilterResolver.parse(text, UserSchemas.USER);
                    UserQuery.Page actual = QUERY.run(index(), GROUPS, filter, order, 2, 15);
                    assertThat(describe(actual)).as("%s %s where %s", sortBy, direction, text)
                            .isEqualTo(expected(filter, order, 2, 15));
                }
            }
        }
    }

    @Test
    void aGroupsMembersAreTheCandidatesOfAnEqualityOnItsId() {
        Set<UUID> members = GROUPS.members(ENGINEERING);
        assertThat(members).isNotEmpty().hasSizeLessThan(USERS);
        for (String text : List.of("groups.value eq \"" + ENGINEERING + "\"", "groups[value eq \"" + ENGINEERING + "\"]",
                "groups[type eq \"direct\" and value eq \"" + ENGINEERING + "\"] and title pr")) {
            Filter filter = FilterResolver.parse(text, UserSchemas.USER);
            assertThat(QUERY.plan(index(), GROUPS, filter, null).ids()).as(text).isEqualTo(members);
        }
        Filter other = FilterResolver.parse("groups.value eq \"" + Ids.newId() + "\"", UserSchemas.USER);
        assertThat(QUERY.plan(index(), GROUPS, other, null).ids()).isEmpty();
        Filter anyGroup = FilterResolver.parse("groups pr", UserSchemas.USER);
        assertThat(QUERY.plan(index(), GROUPS, anyGroup, null).ids()).isNull();
    }

    private static final int USERS = 30;

    /** A user of varied shape: attributes missing or null, several emails, the extension or not. */
    private static String body(int i) {
        StringBuilder b = new StringBuilder("{\"userName\":\"u").append(i).append(i % 3 == 0 ? "@Eng.x.com" : "@x.com").append('"');
        if (i % 4 != 0) {
            b.append(",\"name\":{\"givenName\":\"G").append(i).append("\",\"familyName\":\"")
                    .append(i % 2 == 0 ? "family" : "Family").append(i % 7).append("\"}");
        }
        b.append(",\"displayName\":\"D ").append(i).append('"');
        if (i % 3 != 1) {
            b.append(",\"title\":").append(i % 3 == 0 ? "\"Senior Engineer\"" : "\"Engineer\"");
        }
        if (i % 5 == 0) {
            b.append(",\"nickName\":\"n").append(i).append('"');
        }
        b.append(",\"active\":").append(i % 6 != 0);
        if (i % 7 != 3) {
            b.append(",\"emails\":[{\"value\":\"w").append(i).append("@x.com\",\"type\":\"work\"}");
            if (i % 2 == 1) {
                b.append(",{\"value\":\"h").append(i).append("@home.org\",\"type\":\"home\",\"primary\":true}");
            }
            b.append(']');
        }
        if (i % 4 == 1) {
            b.append(",\"phoneNumbers\":[{\"value\":\"+1 555 ").append(i).append("\"}]");
        }
        if (i % 9 == 2) {
            b.append(",\"addresses\":[{\"country\":\"US\",\"locality\":\"X\"}]");
        }
        if (i % 3 != 2) {
            b.append(",\"").append(ENT).append("\":{\"employeeNumber\":\"").append(i).append('"');
            if (i % 2 == 0) {
                b.append(",\"department\":\"Dep ").append(i % 4).append('"');
            }
            if (i % 5 == 1) {
                b.append(",\"manager\":{\"value\":\"m").append(i).append("\"}");
            }
            b.append('}');
        }
        return b.append('}').toString();
    }

    private static final List<UserRow> ROWS = rows();

    private static List<UserRow> rows() {
        List<UserRow> rows = new ArrayList<>();
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < USERS; i++) {
            ObjectNode attributes = NORMALIZER.normalize(Json.parse(body(i)));
            Instant created = i % 8 == 0 ? Instant.parse("2025-06-01T00:00:00Z") : start;
            // Some share a lastModified, so that sorts by it have ties to break in creation order.
            rows.add(new UserRow(ORG, Ids.newId(), attributes, 1 + i % 3, created, start.plusMillis(i / 2 * 1500L)));
        }
        return rows;
    }

    private static final GroupIndex GROUPS = groups();

    /**
     * Engineering holds every third user, Sales Team every fourth from the second, eng-Ops every fifth
     * from the third.
     */
    private static GroupIndex groups() {
        GroupIndex groups = new GroupIndex();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        GROUP_NAMES.forEach((gid, name) -> {
            ObjectNode a = Json.MAPPER.createObjectNode().put("displayName", name);
            groups.putGroup(new IndexedGroup(new GroupRow(ORG, gid, a, 1, now, now), a));
        });
        for (int i = 0; i < ROWS.size(); i++) {
            UUID id = ROWS.get(i).id();
            if (i % 3 == 0) {
                groups.addMembership(ENGINEERING, id);
            }
            if (i % 4 == 1) {
                groups.addMembership(SALES, id);
            }
            if (i % 5 == 2) {
                groups.addMembership(OPS, id);
            }
        }
        return groups;
    }

    /** The user's groups as the server renders them, worked out here from the groups' member sets. */
    private static void addGroups(ObjectNode user, UUID id) {
        List<UUID> in = new ArrayList<>();
        GROUP_NAMES.keySet().forEach(gid -> {
            if (GROUPS.members(gid).contains(id)) {
                in.add(gid);
            }
        });
        if (in.isEmpty()) {
            return;
        }
        in.sort(null);
        ArrayNode list = user.putArray("groups");
        for (UUID gid : in) {
            list.addObject().put("value", gid.toString()).put("$ref", GROUPS_URL + "/" + gid)
                    .put("display", GROUP_NAMES.get(gid)).put("type", "direct");
        }
    }

    /** A fresh index: half the users as written, half as loaded at start-up and not rendered yet. */
    private static UserIndex index() {
        UserIndex index = new UserIndex();
        for (int i = 0; i < ROWS.size(); i++) {
            UserRow row = ROWS.get(i);
            if (i % 2 == 0) {
                index.put(IndexedUser.of(row, Json.bytes(RENDERER.render(row.attributes(), row.meta())), CODEC));
            } else {
                JsonNode a = row.attributes();
                List<String> emails = new ArrayList<>();
                a.path("emails").forEach(e -> emails.add(e.path("value").asText()));
                index.put(IndexedUser.stored(new StoredUser(ORG, row.id(), a.toString(), row.version(), row.created(),
                        row.lastModified(), row.userName(), row.externalId(),
                        a.hasNonNull("displayName") ? a.get("displayName").asText() : null,
                        emails.toArray(new String[0])), CODEC));
            }
        }
        return index;
    }

    /** The page worked out on whole representations: the interpreter's matches, a stable sort, a slice. */
    private static List<String> expected(Filter filter, Comparator<JsonNode> order, int startIndex, int count) {
        List<ObjectNode> matches = new ArrayList<>();
        List<UserRow> byId = new ArrayList<>(ROWS);
        byId.sort(Comparator.comparing(UserRow::id)); // the index's order, creation order
        for (UserRow row : byId) {
            ObjectNode whole = RENDERER.render(row.attributes(), row.meta());
            addGroups(whole, row.id());
            if (filter == null || EVALUATOR.matches(filter, whole)) {
                matches.add(whole);
            }
        }
        if (order != null) {
            matches.sort(order);
        }
        List<String> out = new ArrayList<>();
        out.add("total " + matches.size());
        for (int k = startIndex - 1; k < matches.size() && k < startIndex - 1 + count; k++) {
            out.add(matches.get(k).get("id").asText());
        }
        return out;
    }

    private static List<String> describe(UserQuery.Page page) {
        List<String> out = new ArrayList<>();
        out.add("total " + page.totalResults());
        page.users().forEach(u -> out.add(u.id().toString()));
        return out;
    }
}
