package io.hanzo.kms.scim.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.index.IndexedGroup;
import io.hanzo.kms.scim.index.IndexedUser;
import io.hanzo.kms.scim.protocol.PathSegment;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.bulk.BulkIds;
import io.hanzo.kms.scim.protocol.bulk.BulkOperation;
import io.hanzo.kms.scim.protocol.bulk.BulkPlan;
import io.hanzo.kms.scim.protocol.bulk.BulkRequest;
import io.hanzo.kms.scim.protocol.group.GroupPatchPlan;
import io.hanzo.kms.scim.protocol.group.GroupPatchPlanner;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import io.hanzo.kms.scim.protocol.resource.Precondition;
import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.ConcurrentChangeConflict;
import io.hanzo.kms.scim.store.DatabaseUnavailable;
import io.hanzo.kms.scim.store.OrganizationErasedException;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a bulk request (RFC 7644 §3.7) through the same services as single requests, in the order
 * {@link BulkPlan} gives. Runs of user creations that do not depend on each other go to the
 * database as one batched insert, so a bulk of 1,000 new users is a handful of round trips.
 */
public final class BulkService {
    private static final Logger LOG = LoggerFactory.getLogger(BulkService.class);
    private static final Pattern PATH = Pattern.compile("^/?(Users|Groups)(?:/([^/]+))?/?$", Pattern.CASE_INSENSITIVE);
    /** Largest batch of user creations sent as one statement. */
    private static final int CREATE_BATCH = 1000;

    private final UserService users;
    private final GroupService groups;
    private final RefusedOperations refusals;

    public BulkService(UserService users, GroupService groups, RefusedOperations refusals) {
        this.users = users;
        this.groups = groups;
        this.refusals = refusals;
    }

    /** Results in the order the operations ran; operations not run (failOnErrors reached) are left out. */
    public Future<List<BulkResult>> run(UUID orgId, BulkRequest request, UUID tokenId) {
        BulkPlan plan = BulkPlan.of(request.operations());
        Run run = new Run(orgId, request, plan, tokenId);
        return run.next(0).map(v -> run.results);
    }

    /** The state of one bulk request as it runs. */
    private final class Run {
        private final UUID orgId;
        private final BulkRequest request;
        private final BulkPlan plan;
        private final List<BulkResult> results = new ArrayList<>();
        private final Map<String, String> createdIds = new HashMap<>();
        private final UUID tokenId;
        private int errors;

        Run(UUID orgId, BulkRequest request, BulkPlan plan, UUID tokenId) {
            this.orgId = orgId;
            this.request = request;
            this.plan = plan;
            this.tokenId = tokenId;
        }

        /** Events of bulk operations name the bulk and the operation within it. */
        private Audit audit(String method, String resource) {
            return new Audit(tokenId, "POST /Bulk: " + method + " /" + resource);
        }

        /** Runs the plan from position {@code at}. */
        Future<Void> next(int at) {
            if (at >= plan.order().size() || stopped()) {
                return Future.succeededFuture();
            }
            BulkOperation op = request.operations().get(plan.order().get(at));
            ScimException refused = refusal(op);
            if (refused != null) {
                record(failure(op, refused));
                return next(at + 1);
            }
            List<BulkOperation> batch = userCreations(at);
            if (batch.size() > 1) {
                return createUsers(batch).compose(v -> next(at + batch.size()));
            }
            // A run of one goes the same way, so that its PATCH is not read and planned a second time.
            List<GroupMembersPatch> together = membershipPatches(at);
            if (!together.isEmpty()) {
                return patchTogether(together).compose(v -> next(at + together.size()));
            }
            Future<BulkResult> outcome;
            try {
                outcome = execute(BulkIds.resolve(op, createdIds::get));
            } catch (ScimException e) {
                outcome = Future.failedFuture(e);
            }
            return outcome
                    .recover(e -> Future.succeededFuture(failure(op, asScim(e))))
                    .compose(r -> {
                        record(r);
                        return next(at + 1);
                    });
        }

        private boolean stopped() {
            return request.failOnErrors() != null && errors >= request.failOnErrors();
        }

        /** Why the operation cannot run: refused by the plan, or it needs a creation that failed. */
        private ScimException refusal(BulkOperation op) {
            ScimException planned = plan.refusals().get(op.index());
            if (planned != null) {
                return planned;
            }
            for (String ref : plan.references(op)) {
                if (!createdIds.containsKey(ref)) {
                    return ScimException.invalidValue("bulkId '" + ref + "' refers to an operation that failed.");
                }
            }
            return null;
        }

        /** The user creations from position {@code at} on that can run together (no references). */
        private List<BulkOperation> userCreations(int at) {
            List<BulkOperation> batch = new ArrayList<>();
            for (int i = at; i < plan.order().size() && batch.size() < CREATE_BATCH; i++) {
                BulkOperation op = request.operations().get(plan.order().get(i));
                Matcher m = PATH.matcher(op.path() == null ? "" : op.path());
                boolean createsUser = op.isCreate() && m.matches() && m.group(1).equalsIgnoreCase("Users") && m.group(2) == null;
                if (!createsUser || plan.refusals().containsKey(op.index()) || !plan.references(op).isEmpty()) {
                    break;
                }
                batch.add(op);
            }
            return batch;
        }

        /**
         * The PATCHes from position {@code at} on that each change only the members of a group no other
         * of them names: they commute, so running them at once gives the state running them in order
         * would (RFC 7644 §3.7 lets a service provider reorder when the result is the same). With
         * failOnErrors, no more of them than may still fail before the bulk stops, so that none runs
         * that the limit would have held back.
         */
        private List<GroupMembersPatch> membershipPatches(int at) {
            int room = request.failOnErrors() == null ? Integer.MAX_VALUE : request.failOnErrors() - errors;
            List<GroupMembersPatch> run = new ArrayList<>();
            Set<UUID> named = new HashSet<>();
            for (int i = at; i < plan.order().size() && run.size() < room; i++) {
                BulkOperation op = request.operations().get(plan.order().get(i));
                Matcher m = PATH.matcher(op.path() == null ? "" : op.path());
                if (!"PATCH".equals(op.method()) || op.version() != null || !m.matches()
                        || !m.group(1).equalsIgnoreCase("Groups") || m.group(2) == null || refusal(op) != null) {
                    break;
                }
                UUID group = Ids.parseOrNull(m.group(2));
                if (group == null || !named.add(group)) {
                    break;
                }
                BulkOperation resolved;
                GroupPatchPlan patch;
                try {
                    resolved = BulkIds.resolve(op, createdIds::get);
                    patch = GroupPatchPlanner.plan(PatchRequest.parse(resolved.data()));
                    if (patch.changesAttributes()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    // Refused (or failing) on its own turn, in order, as it would be outside a run.
                    break;
                }
                run.add(new GroupMembersPatch(op, resolved, m.group(2), patch));
            }
            return run;
        }

        /** Runs membership PATCHes of different groups at once; records their results in their order. */
        private Future<Void> patchTogether(List<GroupMembersPatch> run) {
            List<Future<BulkResult>> outcomes = new ArrayList<>(run.size());
            for (GroupMembersPatch p : run) {
                Future<IndexedGroup> patched;
                try {
                    patched = groups.patch(orgId, p.id(), p.patch(), Precondition.NONE, audit("PATCH", "Groups"));
                } catch (RuntimeException e) {
                    patched = Future.failedFuture(e);
                }
                outcomes.add(patched.map(g -> changed(p.resolved(), 200, g))
                        .recover(e -> Future.succeededFuture(failure(p.op(), asScim(e)))));
            }
            return Future.join(outcomes).transform(ar -> {
                outcomes.forEach(f -> record(f.result()));
                return Future.succeededFuture();
            });
        }

        private Future<Void> createUsers(List<BulkOperation> batch) {
            List<JsonNode> bodies = new ArrayList<>(batch.size());
            batch.forEach(op -> bodies.add(op.data()));
            int budget = request.failOnErrors() == null ? Integer.MAX_VALUE : request.failOnErrors() - errors;
            return users.createBatch(orgId, bodies, audit("POST", "Users"), budget).map(outcomes -> {
                for (int i = 0; i < batch.size(); i++) {
                    BulkOperation op = batch.get(i);
                    Object o = outcomes.get(i);
                    if (o == null) {
                        // Not attempted: failOnErrors was reached before it.
                        break;
                    }
                    if (o instanceof IndexedUser u) {
                        record(created(op, u));
                    } else {
                        record(failure(op, (ScimException) o));
                    }
                }
                return null;
            });
        }

        private BulkResult failure(BulkOperation op, ScimException e) {
            return BulkResult.failure(op, location(op), e);
        }

        /**
         * The URL of the resource a PUT, PATCH or DELETE addresses, which its result carries even when it
         * failed (RFC 7644 §3.7); null for a POST. A bulkId in the path stands for the id it created,
         * or stays as sent when its creation failed.
         */
        private String location(BulkOperation op) {
            Matcher m = PATH.matcher(op.path() == null ? "" : op.path());
            if (op.isCreate() || !m.matches() || m.group(2) == null) {
                return null;
            }
            String id = m.group(2);
            if (id.startsWith(BulkIds.PREFIX)) {
                id = createdIds.getOrDefault(id.substring(BulkIds.PREFIX.length()), id);
            }
            // An id as resources' own locations spell it; anything else as sent, made a valid segment,
            // but none of dots alone, which browsers' URL parsers read as "this" or "the parent" path
            // however it is encoded: no resource has such an id, so there is no resource to name.
            if (id.chars().allMatch(c -> c == '.')) {
                return null;
            }
            UUID uuid = Ids.parseOrNull(id);
            String segment = uuid != null ? uuid.toString() : PathSegment.encode(id);
            return m.group(1).equalsIgnoreCase("Users") ? users.location(segment) : groups.location(segment);
        }

        private void record(BulkResult r) {
            results.add(r);
            if (r.failed()) {
                errors++;
                refused(r);
            } else if (r.operation().isCreate() && r.id() != null) {
                createdIds.put(r.operation().bulkId(), r.id());
            }
        }

        /**
         * Refused operations are provisioning events of their own, within the organisation's budget as a
         * refused request is; successes were recorded with their change.
         */
        private void refused(BulkResult r) {
            if (r.status() >= 500) {
                return;
            }
            BulkOperation op = r.operation();
            Matcher m = PATH.matcher(op.path() == null ? "" : op.path());
            String type = m.matches() ? (m.group(1).equalsIgnoreCase("Users") ? "User" : "Group") : null;
            String id = m.matches() ? m.group(2) : null;
            refusals.refused(new ScimEvent(orgId, Ids.newId(), Instant.now().truncatedTo(ChronoUnit.MILLIS), tokenId,
                    "POST /Bulk: " + (op.method() == null ? "?" : op.method()) + " " + (op.path() == null ? "" : op.path()),
                    type, id, r.status(), "refused", r.error().detail()));
        }

        private Future<BulkResult> execute(BulkOperation op) {
            Matcher m = PATH.matcher(op.path());
            if (!m.matches()) {
                return Future.failedFuture(ScimException.invalidPath("Bulk paths are /Users, /Users/{id}, /Groups and "
                        + "/Groups/{id}, not '" + op.path() + "'."));
            }
            boolean isUsers = m.group(1).equalsIgnoreCase("Users");
            String id = m.group(2);
            if ((op.isCreate()) != (id == null)) {
                return Future.failedFuture(ScimException.invalidPath(op.isCreate()
                        ? "POST takes the path of a resource type, such as /Users."
                        : op.method() + " needs the path of one resource, such as /Users/{id}."));
            }
            Precondition precondition = Precondition.ifMatch(op.version());
            Audit audit = audit(op.method(), isUsers ? "Users" : "Groups");
            switch (op.method()) {
                case "POST":
                    return isUsers
                            ? users.create(orgId, op.data(), audit).map(u -> created(op, u))
                            : groups.create(orgId, op.data(), audit).map(g -> created(op, g));
                case "PUT":
                    return isUsers
                            ? users.replace(orgId, id, op.data(), precondition, audit).map(u -> changed(op, 200, u))
                            : groups.replace(orgId, id, op.data(), precondition, audit).map(g -> changed(op, 200, g));
                case "PATCH": {
                    PatchRequest patch = PatchRequest.parse(op.data());
                    return isUsers
                            ? users.patch(orgId, id, patch, precondition, audit).map(u -> changed(op, 200, u))
                            : groups.patch(orgId, id, patch, precondition, audit).map(g -> changed(op, 200, g));
                }
                default:
                    return (isUsers ? users.delete(orgId, id, precondition, audit) : groups.delete(orgId, id, precondition, audit))
                            .map(v -> new BulkResult(op, 204, id, location(op), null, null));
            }
        }
    }

    /** A bulk PATCH of a group's members: as sent, with its bulkIds resolved, and planned. */
    private record GroupMembersPatch(BulkOperation op, BulkOperation resolved, String id, GroupPatchPlan patch) {
    }

    private static BulkResult created(BulkOperation op, IndexedUser u) {
        return changed(op, 201, u);
    }

    private static BulkResult created(BulkOperation op, IndexedGroup g) {
        return changed(op, 201, g);
    }

    private static BulkResult changed(BulkOperation op, int status, IndexedUser u) {
        return new BulkResult(op, status, u.id().toString(), u.location(), u.etag(), null);
    }

    private static BulkResult changed(BulkOperation op, int status, IndexedGroup g) {
        return new BulkResult(op, status, g.row().id().toString(), g.resource().path("meta").path("location").asText(),
                g.row().meta().etag(), null);
    }

    private static ScimException asScim(Throwable e) {
        if (e instanceof ScimException s) {
            return s;
        }
        if (e instanceof OrganizationErasedException) {
            // Sent through an instance that had not heard of the erasure yet: refused as it now would be.
            return ScimException.unauthorized("The SCIM token is not valid.");
        }
        if (ConcurrentChangeConflict.matches(e)) {
            return new ScimException(503, null,
                    "The change met another change made at the same moment and was not made; retry it.");
        }
        if (DatabaseUnavailable.matches(e)) {
            return new ScimException(503, null, "The service is temporarily unavailable; retry later.");
        }
        LOG.error("Bulk operation failed", e);
        return new ScimException(500, null, "Internal server error.");
    }
}
