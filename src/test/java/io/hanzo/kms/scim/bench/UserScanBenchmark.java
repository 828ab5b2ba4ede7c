package io.hanzo.kms.scim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.index.DocumentCodec;
import io.hanzo.kms.scim.index.GroupIndex;
import io.hanzo.kms.scim.index.GroupsAttribute;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.index.UserDocuments;
import io.hanzo.kms.scim.index.UserIndex;
import io.hanzo.kms.scim.index.UserQuery;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.filter.CompiledFilter;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.FilterEvaluator;
import io.hanzo.kms.scim.protocol.filter.FilterResolver;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.resource.ResourceSorter;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.UserRow;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One scan of 20,000 packed users by a filter the lookup maps cannot narrow (the filters of the
 * FilterScans simulation), or one sort of them, in the index alone: no HTTP, no database. The time
 * is that of one thread, so it is the CPU a scan costs; {@code -prof gc} adds what it allocates.
 *
 * <p>Run with {@code make bench-scans}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class UserScanBenchmark {
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final int USERS = 20_000;

    /** The filter, or {@code sort} for no filter and an order by name.familyName. */
    @Param({"userName co", "displayName sw", "meta.lastModified gt", "title co or 24 familyName eq", "sort"})
    public String query;

    private UserIndex index;
    private Filter filter;
    private Comparator<JsonNode> order;
    private CompiledFilter compiled;
    private ResourceSorter.Order sortKey;
    private List<JsonNode> trees;
    private final GroupIndex groups = new GroupIndex();
    private final UserQuery userQuery = new UserQuery(new FilterEvaluator(UserSchemas.USER),
            new GroupsAttribute("https://kms.example.com/api/v1/scim/Groups"));

    @Setup(Level.Trial)
    public void setUp() {
        ResourceRenderer renderer = new ResourceRenderer(UserSchemas.USER, "https://kms.example.com/api/v1/scim/Users");
        DocumentCodec codec = UserDocuments.codec(renderer);
        ResourceNormalizer normalizer = new ResourceNormalizer(UserSchemas.USER);
        UUID org = Ids.newId();
        index = new UserIndex();
        Instant t = Instant.parse("2026-11-01T08:00:00Z");
        for (int i = 0; i < USERS; i++) {
            ObjectNode attributes = normalizer.normalize(Json.parse(body(i)));
            UserRow row = new UserRow(org, Ids.newId(), attributes, 1, t, t.plusSeconds(i));
            index.put(IndexedUser.of(row, Json.bytes(renderer.render(attributes, row.meta())), codec));
        }
        String text = switch (query) {
            case "userName co" -> "userName co \"0042\"";
            case "displayName sw" -> "displayName sw \"Given12\"";
            case "meta.lastModified gt" -> "meta.lastModified gt \"2000-01-01T00:00:00Z\"";
            case "title co or 24 familyName eq" -> "title co \"senior\" or " + IntStream.range(0, 24)
                    .mapToObj(i -> "name.familyName eq \"Family" + (i * 401) + "\"").collect(Collectors.joining(" or "));
            default -> null;
        };
        filter = text == null ? null : FilterResolver.parse(text, UserSchemas.USER);
        order = text == null ? ResourceSorter.comparator(UserSchemas.USER, "name.familyName", "ascending") : null;
        compiled = filter == null ? null : new FilterEvaluator(UserSchemas.USER).compile(filter);
        sortKey = (ResourceSorter.Order) order;
        trees = new ArrayList<>(USERS);
        index.all().forEach(u -> trees.add(u.resource()));
    }

    @Benchmark
    public UserQuery.Page scan() {
        return userQuery.run(index, groups, filter, order, 1, 10);
    }

    /**
     * The reference: the same test of the same users held as parsed trees, as the index held them
     * before it kept them packed (the compiled filter on each tree, or each tree's sort key sorted).
     */
    @Benchmark
    public int treesHeld() {
        if (compiled != null) {
            int matches = 0;
            for (JsonNode tree : trees) {
                if (compiled.matches(tree)) {
                    matches++;
                }
            }
            return matches;
        }
        List<JsonNode> keys = new ArrayList<>(trees.size());
        for (JsonNode tree : trees) {
            keys.add(sortKey.key(tree));
        }
        keys.sort(sortKey::compareKeys);
        return keys.size();
    }

    /** A user as the FilterScans simulation creates them. */
    private static String body(int i) {
        String n = String.format("%07d", i);
        String userName = "scan." + n + "@bench.example.com";
        String family = "Family" + (i % 9973);
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"" + ENTERPRISE + "\"],"
                + "\"userName\":\"" + userName + "\",\"externalId\":\"ext-" + n + "\","
                + "\"name\":{\"givenName\":\"Given" + i + "\",\"familyName\":\"" + family
                + "\",\"formatted\":\"Given" + i + " " + family + "\"},"
                + "\"displayName\":\"Given" + i + " " + family + "\",\"title\":\"Engineer\",\"active\":true,"
                + "\"emails\":[{\"value\":\"" + userName + "\",\"type\":\"work\",\"primary\":true}],"
                + "\"phoneNumbers\":[{\"value\":\"+1 555 " + n + "\",\"type\":\"work\"}],"
                + "\"" + ENTERPRISE + "\":{\"employeeNumber\":\"" + i + "\",\"department\":\"Department "
                + (i % 50) + "\",\"organization\":\"Bench\"}}";
    }
}
