package io.hanzo.kms.scim.protocol.resource;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;

import java.time.Instant;

/** The resource written straight to bytes is the tree {@code render} builds, serialised, byte for byte. */
class ResourceRendererTest {
    private static final ResourceRenderer USERS = new ResourceRenderer(UserSchemas.USER, "https://kms.example.com/scim/Users");
    private static final ResourceNormalizer NORMALIZER = new ResourceNormalizer(UserSchemas.USER);

    @Test
    void bytesWrittenDirectlyEqualTheSerialisedTree() {
        String[] bodies = {
                "{\"userName\":\"only\"}",
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\","
                        + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"],\"userName\":\"bench-1\","
                        + "\"externalId\":\"ext-1\",\"name\":{\"formatted\":\"G F\",\"familyName\":\"F\",\"givenName\":\"G\"},"
                        + "\"displayName\":\"G F\",\"title\":\"Engineer\","
                        + "\"emails\":[{\"value\":\"bench-1@example.com\",\"type\":\"work\",\"primary\":true}],"
                        + "\"phoneNumbers\":[{\"type\":\"work\",\"value\":\"+1 555 0000001\"}],"
                        + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"organization\":\"Bench\","
                        + "\"employeeNumber\":\"1\",\"department\":\"Department 1\"}}",
                // Non-ASCII text, escapes, numbers, false, several values, keys in an unusual order.
                "{\"active\":false,\"userName\":\"Zoë.Ångström@exämple.com\",\"displayName\":\"Zoë \\\"Z\\\" \\u2603\","
                        + "\"emails\":[{\"type\":\"work\",\"value\":\"a@x.com\"},{\"primary\":true,\"value\":\"b@x.com\"}],"
                        + "\"addresses\":[{\"locality\":\"Zürich\",\"streetAddress\":\"1 Main St\\nApt 2\",\"country\":\"CH\"}],"
                        + "\"x509Certificates\":[{\"value\":\"TUlJ\"}],\"locale\":\"de-CH\","
                        + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"manager\":{\"value\":\"m-1\"},"
                        + "\"costCenter\":\"4711\"}}"};
        for (String body : bodies) {
            ObjectNode attributes = NORMALIZER.normalize(Json.parse(body));
            ResourceMeta meta = new ResourceMeta("0193a4b2-0000-7000-8000-000000000001",
                    Instant.parse("2026-03-04T05:06:07.123Z"), Instant.parse("2026-03-04T05:06:08Z"), 3);
            assertThat(new String(USERS.renderJson(attributes, meta)))
                    .isEqualTo(new String(Json.bytes(USERS.render(attributes, meta))));
        }
    }

    @Test
    void storedAttributesOfAnyShapeAreWrittenAsTheTreeWouldBe() {
        // Stored rows are not re-validated when rendered: values of unexpected types pass through.
        ObjectNode attributes = (ObjectNode) Json.parse("{\"userName\":\"odd\",\"name\":\"not an object\","
                + "\"emails\":{\"value\":\"single@x.com\"},\"phoneNumbers\":[[{\"value\":\"1\"}],\"2\",null],"
                + "\"externalId\":12,\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":[1,2],"
                + "\"active\":true}");
        ResourceMeta meta = new ResourceMeta("id-1", Instant.EPOCH, Instant.parse("2026-12-31T23:59:59.999Z"), 1);
        assertThat(new String(USERS.renderJson(attributes, meta)))
                .isEqualTo(new String(Json.bytes(USERS.render(attributes, meta))));
    }

    @Test
    void groupsAreWrittenAsTheirTreeToo() {
        ResourceRenderer groups = new ResourceRenderer(GroupSchemas.GROUP, "https://kms.example.com/scim/Groups");
        ObjectNode attributes = (ObjectNode) Json.parse("{\"displayName\":\"Admins\",\"externalId\":\"g-1\"}");
        ResourceMeta meta = new ResourceMeta("g", Instant.EPOCH, Instant.EPOCH, 1);
        assertThat(groups.renderJson(attributes, meta)).isEqualTo(Json.bytes(groups.render(attributes, meta)));
    }
}
