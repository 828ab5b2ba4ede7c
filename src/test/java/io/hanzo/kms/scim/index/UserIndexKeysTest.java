package io.hanzo.kms.scim.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.UserRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

/** Keys several users share (emails, externalIds), kept without a set per key. */
class UserIndexKeysTest {
    private static final UUID ORG = UUID.randomUUID();

    @Test
    void aKeyHeldByManyUsersFindsEachUntilTheyLeaveIt() {
        UserIndex index = new UserIndex();
        UUID a = Ids.newId();
        UUID b = Ids.newId();
        UUID c = Ids.newId();
        index.put(user(a, 1, "a@x.com", "ext", "shared@x.com", "a@x.com"));
        index.put(user(b, 1, "b@x.com", "ext", "SHARED@x.com"));
        index.put(user(c, 1, "c@x.com", "EXT", "shared@X.com"));
        assertThat(index.idsByEmail("Shared@x.com")).containsExactlyInAnyOrder(a, b, c);
        assertThat(index.idsByEmail("a@x.com")).containsExactly(a);
        assertThat(index.idsByExternalId("ext")).containsExactlyInAnyOrder(a, b);
        assertThat(index.idsByExternalId("EXT")).containsExactly(c);

        index.put(user(b, 2, "b@x.com", "ext2", "b@x.com"));
        assertThat(index.idsByEmail("shared@x.com")).containsExactlyInAnyOrder(a, c);
        assertThat(index.idsByExternalId("ext")).containsExactly(a);
        assertThat(index.idsByExternalId("ext2")).containsExactly(b);

        index.remove(a);
        assertThat(index.idsByEmail("shared@x.com")).containsExactly(c);
        assertThat(index.idsByExternalId("ext")).isEmpty();
        index.remove(c);
        assertThat(index.idsByEmail("shared@x.com")).isEmpty();
        assertThat(index.idByUserName("B@X.COM")).isEqualTo(b);
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void anEmailEqualToTheUserNameIsOneKeyAndStaysWhenRepeated() {
        UserIndex index = new UserIndex();
        UUID a = Ids.newId();
        index.put(user(a, 1, "Jane@x.com", null, "jane@X.com", "JANE@x.com"));
        IndexedUser held = index.get(a);
        assertThat(held.emailKeys).isSameAs(held.userNameKey);
        assertThat(index.idsByEmail("jane@x.com")).containsExactly(a);
        index.put(user(a, 2, "Jane@x.com", null));
        assertThat(index.idsByEmail("jane@x.com")).isEmpty();
        assertThat(index.idByUserName("jane@x.com")).isEqualTo(a);
    }

    private static IndexedUser user(UUID id, long version, String userName, String externalId, String... emails) {
        ObjectNode a = Json.MAPPER.createObjectNode().put("userName", userName);
        if (externalId != null) {
            a.put("externalId", externalId);
        }
        if (emails.length > 0) {
            var list = a.putArray("emails");
            for (String e : emails) {
                list.addObject().put("value", e);
            }
        }
        Instant now = Instant.now();
        UserRow row = new UserRow(ORG, id, a, version, now, now);
        return IndexedUser.of(row, Json.bytes(UserDocumentsTest.RENDERER.render(a, row.meta())), UserDocumentsTest.CODEC);
    }
}
