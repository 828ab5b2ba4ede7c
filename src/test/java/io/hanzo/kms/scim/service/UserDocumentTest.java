package io.hanzo.kms.scim.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.index.UserDocuments;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.UserRow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** A user's document with its groups written into the packed bytes equals the one built as a tree. */
class UserDocumentTest {
    private static final String BASE = "https://kms.example.com/api/v1/scim";
    private final ResourceRenderer users = new ResourceRenderer(UserSchemas.USER, BASE + "/Users");
    private final ResourceRenderer groupRenderer = new ResourceRenderer(GroupSchemas.GROUP, BASE + "/Groups");
    private final DirectoryIndex index = new DirectoryIndex();
    private final UserService service = new UserService(null, index, users, BASE + "/Groups");
    private final UUID org = UUID.randomUUID();

    @Test
    void groupsSplicedIntoTheDocumentMatchTheTreeByteForByte() {
        ObjectNode a = Json.MAPPER.createObjectNode().put("userName", "jane@x.com").put("displayName", "Jane \"J\" Ñ")
                .put("active", true);
        a.putObject(UserSchemas.ENTERPRISE.id()).put("department", "R&D ,\"meta\":{");
        Instant now = Instant.now();
        UserRow row = new UserRow(org, Ids.newId(), a, 3, now, now);
        index.users(org).put(IndexedUser.of(row, Json.bytes(users.render(a, row.meta())), UserDocuments.codec(users)));
        IndexedUser u = index.users(org).get(row.id());
        AttributeProjection everythingAsATree = AttributeProjection.of(UserSchemas.USER, null, "nickName");
        assertThat(everythingAsATree.isAll()).isFalse();
        assertThat(service.document(org, u, AttributeProjection.ALL)).isEqualTo(u.json());

        for (String name : new String[] {"Engineering", "Ünïcode ☃ \"quoted\" \\ back\\slash", "tab\there\nnew line \u0001"}) {
            UUID gid = Ids.newId();
            ObjectNode g = Json.MAPPER.createObjectNode().put("displayName", name);
            GroupRow gr = new GroupRow(org, gid, g, 1, now, now);
            index.groups(org).putGroup(new IndexedGroup(gr, groupRenderer.render(g, gr.meta())));
            index.groups(org).addMembers(gid, new UUID[] {row.id()});
        }
        byte[] spliced = service.document(org, u, AttributeProjection.ALL);
        byte[] tree = service.document(org, u, everythingAsATree);
        assertThat(new String(spliced, StandardCharsets.UTF_8)).isEqualTo(new String(tree, StandardCharsets.UTF_8));
        assertThat(Json.parse(spliced).path("groups")).hasSize(3);
        assertThat(Json.parse(spliced).path("groups").get(1).path("display").asText())
                .isEqualTo("Ünïcode ☃ \"quoted\" \\ back\\slash");
    }
}
