package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.AttributeProjection;
import io.hanzo.kms.scim.service.UserService;
import io.vertx.core.buffer.Buffer;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;

/**
 * Serialises groups chunk by chunk: the group's attributes, then its members a few hundred at a time
 * as the connection takes them, then {@code meta}.
 */
final class GroupDocuments {
    private static final int MEMBERS_PER_CHUNK = 512;

    private final UserService users;
    private final String usersEndpointUrl;

    GroupDocuments(UserService users, String usersEndpointUrl) {
        this.users = users;
        this.usersEndpointUrl = usersEndpointUrl;
    }

    /** The chunks of one group; {@code members} iterates in id order, and is read as chunks are written. */
    Iterator<Buffer> chunks(UUID orgId, IndexedGroup group, Set<UUID> members, AttributeProjection projection) {
        ObjectNode projected = projection.apply(group.resource());
        if (!projection.includes("members")) {
            return List.of(Buffer.buffer(Json.bytes(projected))).iterator();
        }
        ObjectNode head = projected.deepCopy();
        JsonNode meta = head.remove("meta");
        byte[] headBytes = Json.bytes(head);
        Buffer first = Buffer.buffer(headBytes.length + 16).appendBytes(headBytes, 0, headBytes.length - 1);
        first.appendString(head.isEmpty() ? "\"members\":[" : ",\"members\":[");
        Buffer last = Buffer.buffer().appendString("]");
        if (meta != null) {
            last.appendString(",\"meta\":").appendBytes(Json.bytes(meta));
        }
        last.appendString("}");
        MemberFields fields = new MemberFields(projection.includesSub("members", "value"),
                projection.includesSub("members", "$ref"), projection.includesSub("members", "display"),
                projection.includesSub("members", "type"));
        return new Iterator<>() {
            private final Iterator<UUID> ids = members.iterator();
            private int stage;
            private boolean firstMember = true;

            @Override
            public boolean hasNext() {
                return stage < 2;
            }

            @Override
            public Buffer next() {
                if (stage == 0) {
                    stage = 1;
                    return first;
                }
                if (stage == 1 && ids.hasNext()) {
                    Buffer b = Buffer.buffer(MEMBERS_PER_CHUNK * 160);
                    for (int i = 0; i < MEMBERS_PER_CHUNK && ids.hasNext(); i++) {
                        if (!firstMember) {
                            b.appendByte((byte) ',');
                        }
                        firstMember = false;
                        appendMember(b, orgId, ids.next(), fields);
                    }
                    return b;
                }
                if (stage == 1) {
                    stage = 2;
                    return last;
                }
                throw new NoSuchElementException();
            }
        };
    }

    /** Which member sub-attributes the request asked for. */
    private record MemberFields(boolean value, boolean ref, boolean display, boolean type) {
    }

    private void appendMember(Buffer b, UUID orgId, UUID userId, MemberFields fields) {
        String id = userId.toString();
        b.appendByte((byte) '{');
        boolean first = true;
        if (fields.value()) {
            b.appendString("\"value\":\"").appendString(id).appendString("\"");
            first = false;
        }
        if (fields.ref()) {
            b.appendString(first ? "" : ",").appendString("\"$ref\":\"").appendString(usersEndpointUrl)
                    .appendString("/").appendString(id).appendString("\"");
            first = false;
        }
        IndexedUser u = fields.display() ? users.find(orgId, userId) : null;
        if (u != null) {
            String display = u.display();
            b.appendString(first ? "" : ",").appendString("\"display\":\"")
                    .appendString(new String(JsonStringEncoder.getInstance().quoteAsString(display)))
                    .appendString("\"");
            first = false;
        }
        if (fields.type()) {
            b.appendString(first ? "" : ",").appendString("\"type\":\"User\"");
        }
        b.appendByte((byte) '}');
    }
}
