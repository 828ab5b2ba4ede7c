package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.ResourceMeta;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.Ids;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The codec of user documents: its dictionary is a user rendered as this server renders them. */
public final class UserDocuments {
    /** Names and values that users sometimes carry, ahead of the typical user (farther back is dearer). */
    private static final String RARER = "\"nickName\":\"\",\"profileUrl\":\"https://\",\"userType\":\"Employee\","
            + "\"preferredLanguage\":\"en-US\",\"locale\":\"en-US\",\"timezone\":\"America/\",\"Europe/\","
            + "\"addresses\":[{\"formatted\":\"\",\"streetAddress\":\"\",\"locality\":\"\",\"region\":\"\","
            + "\"postalCode\":\"\",\"country\":\"US\",\"type\":\"work\",\"primary\":true}],"
            + "\"ims\":[{\"value\":\"\",\"type\":\"skype\"}],\"photos\":[{\"value\":\"https://\",\"type\":\"photo\"}],"
            + "\"roles\":[{\"value\":\"\",\"display\":\"\",\"type\":\"\",\"primary\":false}],\"entitlements\":[],"
            + "\"x509Certificates\":[],\"middleName\":\"\",\"honorificPrefix\":\"\",\"honorificSuffix\":\"\","
            + "\"costCenter\":\"\",\"division\":\"\",\"manager\":{\"value\":\"\",\"$ref\":\"\",\"displayName\":\"\"},"
            + "\"type\":\"mobile\"},{\"value\":\"+1 \",\"type\":\"home\"},\"type\":\"other\",\"primary\":false}";

    private UserDocuments() {
    }

    /** A codec for the users this renderer renders (the dictionary holds its URLs). */
    public static DocumentCodec codec(ResourceRenderer renderer) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode sample = json.objectNode();
        sample.put("externalId", "");
        sample.put("userName", "@example.com");
        ObjectNode name = sample.putObject("name");
        name.put("formatted", " ");
        name.put("familyName", "");
        name.put("givenName", "");
        sample.put("displayName", " ");
        sample.put("title", "");
        sample.put("active", true);
        sample.putArray("emails").addObject().put("value", "@example.com").put("type", "work").put("primary", true);
        sample.putArray("phoneNumbers").addObject().put("value", "+1 555 ").put("type", "work");
        sample.putObject(UserSchemas.ENTERPRISE.id())
                .put("employeeNumber", "").put("organization", "").put("department", "Department ");
        Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS);
        // A v7 id's first digits are the time; the sample's match those of ids made around now.
        String id = Ids.newId().toString();
        byte[] typical = Json.bytes(renderer.render(sample, new ResourceMeta(id, day, day, 1)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RARER.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(typical);
        return new DocumentCodec(renderer.location(""), out.toByteArray(), renderer);
    }
}
