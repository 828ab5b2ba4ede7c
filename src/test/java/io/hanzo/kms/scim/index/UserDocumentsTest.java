package io.hanzo.kms.scim.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.StoredUser;
import io.hanzo.kms.scim.store.UserRow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Users kept packed: what comes out is byte for byte what was rendered, and the row is the stored one. */
class UserDocumentsTest {
    static final ResourceRenderer RENDERER = new ResourceRenderer(UserSchemas.USER, "https://kms.example.com/api/v1/scim/Users");
    static final DocumentCodec CODEC = UserDocuments.codec(RENDERER);
    private static final UUID ORG = UUID.randomUUID();
    private static final ResourceNormalizer NORMALIZER = new ResourceNormalizer(UserSchemas.USER);

    @Test
    void theDocumentComesBackByteForByteAsRendered() {
        for (String body : new String[] {
                bench(42),
                bench(1_234_567),
                "{\"userName\":\"only\"}",
                // Non-ASCII text, escapes, every kind of value, several emails and addresses.
                "{\"userName\":\"Zoë.Ångström@exämple.com\",\"displayName\":\"Zoë \\\"Z\\\" Ångström \\u2603\","
                        + "\"active\":false,\"emails\":[{\"value\":\"a@x.com\",\"type\":\"work\"},"
                        + "{\"value\":\"b@x.com\",\"type\":\"home\",\"primary\":true}],"
                        + "\"addresses\":[{\"streetAddress\":\"1 Main St\\nApt 2\",\"locality\":\"Zürich\",\"country\":\"CH\"}],"
                        + "\"roles\":[{\"value\":\"admin\"}],\"locale\":\"de-CH\",\"timezone\":\"Europe/Zurich\","
                        + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"manager\":{\"value\":\"m-1\"},"
                        + "\"costCenter\":\"4711\"}}",
                "{\"userName\":\"big\",\"title\":\"" + "x".repeat(20_000) + "\"}"}) {
            ObjectNode attributes = NORMALIZER.normalize(Json.parse(body));
            Instant created = Instant.parse("2026-03-04T05:06:07.123456Z");
            UserRow row = new UserRow(ORG, Ids.newId(), attributes, 7, created, created.plusMillis(1500));
            byte[] rendered = Json.bytes(RENDERER.render(attributes, row.meta()));
            IndexedUser u = IndexedUser.of(row, rendered, CODEC);
            assertThat(u.json()).isEqualTo(rendered);
            assertThat(u.resource()).isEqualTo(RENDERER.render(attributes, row.meta()));
            assertThat(u.row()).isEqualTo(row);
            assertThat(u.meta()).isEqualTo(row.meta());
            assertThat(u.etag()).isEqualTo(row.meta().etag());
            assertThat(u.location()).isEqualTo(RENDERER.location(row.id().toString()));
            assertThat(u.display()).isEqualTo(attributes.hasNonNull("displayName")
                    ? attributes.get("displayName").asText() : attributes.get("userName").asText());
        }
    }

    @Test
    void aLoadedUserIsRenderedOnFirstReadAsItWouldHaveBeenAtOnce() throws Exception {
        for (String body : new String[] {bench(7), "{\"userName\":\"Only@X.com\",\"emails\":[{\"value\":\"A@x.com\"},"
                + "{\"value\":\"only@x.com\"}],\"externalId\":\"e-1\"}"}) {
            ObjectNode attributes = NORMALIZER.normalize(Json.parse(body));
            Instant created = Instant.parse("2026-03-04T05:06:07.123456Z");
            UserRow row = new UserRow(ORG, Ids.newId(), attributes, 4, created, created.plusSeconds(9));
            byte[] rendered = Json.bytes(RENDERER.render(attributes, row.meta()));
            IndexedUser fresh = IndexedUser.of(row, rendered, CODEC);
            // As PostgreSQL gives jsonb back: other key order and spacing.
            String text = attributes.toPrettyString();
            List<String> emails = new ArrayList<>();
            attributes.path("emails").forEach(e -> emails.add(e.path("value").asText()));
            StoredUser stored = new StoredUser(ORG, row.id(), text, 4, row.created(), row.lastModified(), row.userName(),
                    row.externalId(), attributes.hasNonNull("displayName") ? attributes.get("displayName").asText() : null,
                    emails.toArray(new String[0]));
            IndexedUser loaded = IndexedUser.stored(stored, CODEC);
            assertThat(loaded.rendered()).isFalse();
            // Packed without the stored text's spacing: as small as the same text written compactly.
            assertThat(loaded.packedLength())
                    .isEqualTo(CODEC.pack(Json.MAPPER.writeValueAsBytes(Json.MAPPER.readTree(text)), (byte) 0).length);
            assertThat(loaded.row()).isEqualTo(row);
            assertThat(loaded.userNameKey).isEqualTo(fresh.userNameKey);
            assertThat(loaded.emailKeyList()).isEqualTo(fresh.emailKeyList());
            assertThat(loaded.externalId).isEqualTo(fresh.externalId);
            assertThat(loaded.display()).isEqualTo(fresh.display());
            // Readers racing the first rendering all get the same bytes.
            List<Future<byte[]>> reads = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int i = 0; i < 8; i++) {
                    reads.add(pool.submit(loaded::json));
                }
                for (Future<byte[]> f : reads) {
                    assertThat(f.get()).isEqualTo(rendered);
                }
            } finally {
                pool.shutdown();
            }
            assertThat(loaded.rendered()).isTrue();
            assertThat(loaded.json()).isEqualTo(rendered);
            assertThat(loaded.row()).isEqualTo(row);
            assertThat(loaded.resource()).isEqualTo(fresh.resource());
            // A loaded user first read as a tree (a scan) is rendered and kept the same way.
            IndexedUser scanned = IndexedUser.stored(stored, CODEC);
            assertThat(scanned.resource()).isEqualTo(fresh.resource());
            assertThat(scanned.rendered()).isTrue();
            assertThat(scanned.json()).isEqualTo(rendered);
        }
    }

    @Test
    void aBenchUserPacksToAFractionOfItsDocument() {
        ObjectNode attributes = NORMALIZER.normalize(Json.parse(bench(31_337)));
        Instant now = Instant.now();
        UserRow row = new UserRow(ORG, Ids.newId(), attributes, 1, now, now);
        byte[] rendered = Json.bytes(RENDERER.render(attributes, row.meta()));
        IndexedUser u = IndexedUser.of(row, rendered, CODEC);
        // The figure the heap budget per user is built on (docs/benchmarks.md, "Compact index").
        assertThat(u.packedLength()).isLessThan(rendered.length / 2);
    }

    @Test
    void packingIsSafeFromManyThreadsAtOnce() throws Exception {
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) {
                        byte[] doc = bench(seed * 10_000 + i).getBytes(StandardCharsets.UTF_8);
                        assertThat(CODEC.unpack(CODEC.pack(doc))).isEqualTo(doc);
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure[0]).isNull();
    }

    /** The user the load tests send (load-tests Payloads.user). */
    static String bench(int i) {
        String userName = "bench." + String.format("%07d", i) + "@bench.example.com";
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\","
                + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"],"
                + "\"userName\":\"" + userName + "\",\"externalId\":\"ext-bench-" + String.format("%07d", i) + "\","
                + "\"name\":{\"givenName\":\"Given" + i + "\",\"familyName\":\"Family" + (i % 9973)
                + "\",\"formatted\":\"Given" + i + " Family" + (i % 9973) + "\"},"
                + "\"displayName\":\"Given" + i + " Family" + (i % 9973) + "\",\"title\":\"Engineer\","
                + "\"emails\":[{\"value\":\"" + userName + "\",\"type\":\"work\",\"primary\":true}],"
                + "\"phoneNumbers\":[{\"value\":\"+1 555 " + String.format("%07d", i) + "\",\"type\":\"work\"}],"
                + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"employeeNumber\":\"" + i
                + "\",\"department\":\"Department " + (i % 50) + "\",\"organization\":\"Bench\"}}";
    }

    /** A user with this userName (also its email) at this version, for index tests. */
    static IndexedUser user(UUID id, long version, String userName) {
        ObjectNode a = Json.MAPPER.createObjectNode().put("userName", userName).put("active", true);
        a.putArray("emails").addObject().put("value", userName);
        Instant now = Instant.now();
        UserRow row = new UserRow(ORG, id, a, version, now, now);
        return IndexedUser.of(row, Json.bytes(RENDERER.render(a, row.meta())), CODEC);
    }
}
