package io.hanzo.kms.scim;

import io.hanzo.kms.scim.admin.AdminAuth;
import io.hanzo.kms.scim.admin.InvitationDelivery;
import io.hanzo.kms.scim.admin.MembershipService;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.TokenService;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.http.ApiRouter;
import io.hanzo.kms.scim.http.HttpVerticle;
import io.hanzo.kms.scim.http.RefusalRecorder;
import io.hanzo.kms.scim.http.Services;
import io.hanzo.kms.scim.http.TokenRateLimits;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.ops.ManagementServer;
import io.hanzo.kms.scim.ops.Operations;
import io.hanzo.kms.scim.ops.ServerMetrics;
import io.hanzo.kms.scim.ops.StartupAbort;
import io.hanzo.kms.scim.ops.StartupFailure;
import io.hanzo.kms.scim.ops.StopDeadline;
import io.hanzo.kms.scim.ops.UnhandledFailures;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.DiscoveryDocuments;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.service.EventRetention;
import io.hanzo.kms.scim.service.GroupService;
import io.hanzo.kms.scim.service.IndexFollower;
import io.hanzo.kms.scim.service.UserService;
import io.hanzo.kms.scim.store.pg.AdminChangeFeed;
import io.hanzo.kms.scim.store.pg.DatabaseCaseFolding;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.hanzo.kms.scim.store.pg.PgEventStore;
import io.hanzo.kms.scim.store.pg.PgGroupStore;
import io.hanzo.kms.scim.store.pg.PgMemberStore;
import io.hanzo.kms.scim.store.pg.PgOrganizationStore;
import io.hanzo.kms.scim.store.pg.PgTokenStore;
import io.hanzo.kms.scim.store.pg.PgUserStore;
import io.hanzo.kms.scim.store.pg.ResourceChangeFeed;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running server: database ready and migrated, caches and index loaded, then one HTTP verticle per
 * event loop. {@link #start} returns only when the port is open.
 */
public final class Application {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    /** How often every organisation's outbox is checked, for invitations other instances queued. */
    private static final long OUTBOX_SWEEP_MILLIS = 60_000;
    /** How often counts of refusals past an organisation's budget are checked: written when due. */
    private static final long REFUSALS_TICK_MILLIS = 1_000;
    /** How often erasures left unfinished (by a crash, a stop, a database outage) are taken up again. */
    private static final long ERASURES_MILLIS = 60_000;
    /** How often revoked tokens kept long enough, and idle rate-limit buckets, are forgotten. */
    private static final long RETIRED_TOKENS_SWEEP_MILLIS = 60_000;
    /**
     * What the stop may take after the unready pause and the drain: writing token use times and refusal
     * counts, the last invitation round, closing the feeds and the pool. The chart's grace period leaves 10 s for it
     * (terminationGraceExtraSeconds), so the JVM exits before Kubernetes would kill it.
     */
    private static final int STOP_AFTER_DRAIN_SECONDS = 8;

    private final Vertx vertx;
    private final DatabaseTarget database;
    private final Services services;
    private final AdminChangeFeed feed;
    private final List<Long> timers;
    private final String httpDeployment;
    private final HttpServer management;
    private final ResourceChangeFeed changeFeed;
    private final DirectoryIndex index;
    private boolean stopped;

    private Application(Vertx vertx, DatabaseTarget database, Services services, AdminChangeFeed feed, List<Long> timers,
                        String httpDeployment, HttpServer management, ResourceChangeFeed changeFeed, DirectoryIndex index) {
        this.vertx = vertx;
        this.database = database;
        this.services = services;
        this.feed = feed;
        this.timers = timers;
        this.httpDeployment = httpDeployment;
        this.management = management;
        this.changeFeed = changeFeed;
        this.index = index;
    }

    /** Starts the server, using {@code database} when given, else what the configuration says. */
    public static Application start(AppConfig config, DatabaseTarget database) throws Exception {
        return start(config, database, new StartupAbort());
    }

    /**
     * Starts the server, or gives up at the next step once {@code abort} is requested ({@link
     * StartupAbort.Aborted}). Whichever way start-up fails, an embedded PostgreSQL it started is
     * stopped again: it would outlive the JVM.
     */
    public static Application start(AppConfig config, DatabaseTarget database, StartupAbort abort) throws Exception {
        abort.check("before starting the database");
        DatabaseTarget db = database != null ? database : DatabaseSetup.target(config);
        try {
            return start(config, db, database == null ? db : null, abort);
        } catch (Exception | Error e) {
            if (database == null && db.embedded() != null) {
                closeEmbedded(db);
                LOG.info("Embedded PostgreSQL stopped");
            }
            throw e;
        }
    }

    private static Application start(AppConfig config, DatabaseTarget db, DatabaseTarget owned, StartupAbort abort)
            throws Exception {
        abort.check("after starting the database");
        try {
            DatabaseSetup.migrate(db, config.databaseConnectTimeoutSeconds(), config.databaseStartRetries());
        } catch (RuntimeException e) {
            // The first connection: a wrong password, an unknown host or a refused connection shows here.
            throw new StartupFailure("database " + db, e);
        }
        abort.check("after the database migrations");
        AdminAuth adminAuth = AdminAuth.initialise(config.adminToken(), config.dataDir());

        VertxOptions options = new VertxOptions();
        ServerMetrics metrics = config.managementPort() > 0 ? new ServerMetrics() : null;
        Vertx vertx = metrics != null ? metrics.vertxBuilder(options).build() : Vertx.vertx(options);
        UnhandledFailures.install(vertx);
        int instances = config.httpInstances() > 0 ? config.httpInstances() : options.getEventLoopPoolSize();
        Pool pool = DatabaseSetup.pool(vertx, db, config.databasePoolSize(), config.databaseMaxWaitQueue(),
                config.databaseWaitTimeoutSeconds(), config.databaseConnectTimeoutSeconds());
        String scimBase = config.publicUrl() + ApiRouter.SCIM_BASE;
        OrganizationService orgs = new OrganizationService(new PgOrganizationStore(pool));
        TokenService tokens = new TokenService(new PgTokenStore(pool));
        DirectoryIndex index = new DirectoryIndex();
        String groupsUrl = scimBase + GroupSchemas.GROUP.endpoint();
        UserService users = new UserService(new PgUserStore(pool), index,
                new ResourceRenderer(UserSchemas.USER, scimBase + UserSchemas.USER.endpoint()), groupsUrl);
        GroupService groups = new GroupService(new PgGroupStore(pool), index,
                new ResourceRenderer(GroupSchemas.GROUP, groupsUrl));
        DiscoveryDocuments discovery = new DiscoveryDocuments(scimBase, List.of(UserSchemas.USER, GroupSchemas.GROUP),
                new DiscoveryDocuments.Capabilities(config.maxResults(), true, true, config.bulkMaxOperations(),
                        config.bulkMaxPayloadBytes(), true, true));
        InvitationDelivery delivery = InvitationDelivery.configured(vertx, config);
        PgMemberStore memberStore = new PgMemberStore(pool);
        MembershipService members = new MembershipService(memberStore, orgs, index, delivery.sender(),
                config.publicUrl() + "/account/setup", Duration.ofHours(config.invitationsSetupTokenTtlHours()),
                Duration.ofSeconds(config.invitationsClaimSeconds()));
        PgEventStore events = new PgEventStore(pool);
        Services services = new Services(config, pool, adminAuth, orgs, tokens, users, groups, members,
                events, discovery, new Operations(metrics),
                new TokenRateLimits(config.scimRateLimitPerSecond(), config.scimRateLimitBurst()),
                new RefusalRecorder(events, config.eventsRefusalsPerSecond(), config.eventsRefusalsBurst()));
        EventRetention retention = new EventRetention(events, memberStore, orgs, Duration.ofDays(config.eventsRetentionDays()));
        if (metrics != null) {
            users.onBatch(metrics::batchCommitted);
            members.onDeliveryFailure(metrics::deliveryFailed);
            services.refusals().onSummarised(metrics::refusalsSummarised);
            metrics.watchIndex(index);
        }

        users.onProvisioned(members::invitationsQueued);
        tokens.onRevoked(services.rateLimits()::forget);
        // An erased organisation: everything this instance holds of it goes.
        orgs.onErased(tokens::forgetOrganization);
        orgs.onErased(services.refusals()::forget);
        orgs.onErased(members::forget);
        orgs.onErased(users::forget);
        orgs.onErased(orgId -> index.forget(orgId, System.nanoTime()));
        // Listen before loading, so that no change between the two is missed.
        AtomicReference<AdminChangeFeed> feed = new AtomicReference<>();
        AtomicReference<String> deployment = new AtomicReference<>();
        AtomicReference<HttpServer> management = new AtomicReference<>();
        AtomicReference<ResourceChangeFeed> changes = new AtomicReference<>();
        // Before anything folds a name: the index must fold them as the database's unique keys do.
        Future<Void> started = DatabaseCaseFolding.adopt(pool).compose(folding -> AdminChangeFeed.start(vertx, db,
                        orgId -> orgs.refresh(orgId).compose(v -> members.refreshRoleMappings(orgId)), tokens::refresh,
                        () -> orgs.load().compose(all -> tokens.reload(all).compose(v -> members.refreshRoleMappings(all)))))
                .onSuccess(feed::set)
                // The change feed's position is taken before the index is loaded: nothing falls between.
                .compose(f -> ResourceChangeFeed.open(vertx, db, new IndexFollower(index, users, groups),
                        Duration.ofSeconds(config.feedRetentionSeconds()), config.databaseWaitTimeoutSeconds(),
                        config.databaseConnectTimeoutSeconds()))
                .onSuccess(changes::set)
                .onSuccess(f -> orgs.onErased(f::forget))
                .onSuccess(f -> services.ops().followFeed(f::millisSinceLastRound, config.feedPollMillis(),
                        config.healthFeedSilenceSeconds() * 1000L))
                .onSuccess(f -> {
                    if (metrics != null) {
                        metrics.watchChangeFeedLag(() -> Duration.ofMillis(f.lagMillis()));
                    }
                })
                .compose(f -> orgs.load())
                .compose(all -> tokens.load(all).compose(v -> users.load(all)).compose(v -> groups.load(all))
                        .compose(v -> members.load(all)))
                .compose(v -> {
                    // Those a crash or a stop cut short; in the background, as the periodic job does.
                    orgs.finishErasures().onFailure(e -> LOG.warn("Finishing erasures failed; will retry: {}", e.toString()));
                    users.onCommitted(changes.get()::signal);
                    groups.onCommitted(changes.get()::signal);
                    return changes.get().follow(config.feedPollMillis());
                })
                .compose(v -> StartupFailure.during("HTTP server on " + config.httpHost() + ":" + config.httpPort(),
                        vertx.deployVerticle(() -> new HttpVerticle(services), new DeploymentOptions().setInstances(instances))))
                .onSuccess(deployment::set)
                .compose(v -> metrics == null ? Future.<Void>succeededFuture()
                        : StartupFailure.during("management server on " + config.httpHost() + ":" + config.managementPort(),
                                ManagementServer.start(vertx, metrics, config.httpHost(), config.managementPort()))
                                .onSuccess(management::set).<Void>mapEmpty());
        try {
            abort.await(started.toCompletionStage(), 5, TimeUnit.MINUTES, "while loading the caches and the index");
        } catch (ExecutionException | TimeoutException | InterruptedException | StartupAbort.Aborted e) {
            // The feeds first, so that none tries to reconnect and logs its failure, then the rest;
            // the connections go before the database they are connected to is stopped.
            try {
                if (feed.get() != null) {
                    feed.get().close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                }
                if (changes.get() != null) {
                    changes.get().close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                }
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException closeFailure) {
                LOG.warn("What the start opened did not all close cleanly: {}", closeFailure.toString());
            }
            throw e;
        }
        long flushMillis = config.tokensLastUsedFlushSeconds() * 1000L;
        List<Long> timers = new ArrayList<>(List.of(
                vertx.setPeriodic(flushMillis, id -> tokens.flushLastUse()),
                vertx.setPeriodic(REFUSALS_TICK_MILLIS, id -> services.refusals().recordDue()),
                vertx.setPeriodic(ERASURES_MILLIS, id -> orgs.finishErasures()
                        .onFailure(e -> LOG.warn("Finishing erasures failed; will retry: {}", e.toString()))),
                vertx.setPeriodic(RETIRED_TOKENS_SWEEP_MILLIS, id -> {
                    orgs.forgetErased(Instant.now());
                    tokens.forgetRetired(Instant.now());
                    services.rateLimits().forgetIdle();
                }),
                vertx.setPeriodic(config.eventsPruneIntervalSeconds() * 1000L, id -> retention.prune()
                        .onFailure(e -> LOG.warn("Pruning old provisioning events failed; will retry: {}", e.toString()))),
                // On a worker: with many organisations the walk is not an event loop's work.
                vertx.setPeriodic(DirectoryIndex.TOMBSTONE_SWEEP.toMillis(), id -> vertx.executeBlocking(() -> {
                    index.expireTombstones(System.nanoTime());
                    return null;
                }, false))));
        if (delivery.delivers()) {
            // Never fails: the outbox logs its own failures, once per outage.
            timers.add(vertx.setPeriodic(config.invitationsPollMillis(), id -> members.deliverInvitations()));
            timers.add(vertx.setPeriodic(OUTBOX_SWEEP_MILLIS, id -> members.sweepAll()));
        }
        if (metrics != null) {
            // One count per organisation each time (metrics.outbox-backlog-seconds); the first a second after
            // the start, so that a restarted instance does not show an empty backlog for a whole period.
            timers.add(vertx.setPeriodic(1_000, config.metricsOutboxBacklogSeconds() * 1000L, id -> members.outboxBacklog()
                    .onSuccess(metrics::outboxBacklog)
                    .onFailure(e -> LOG.debug("Outbox backlog not measured: {}", e.getMessage()))));
            LOG.info("Metrics at http://{}:{}/metrics", config.httpHost(), config.managementPort());
        }
        LOG.info("kms-scim listening on {}:{} with {} HTTP verticles; SCIM base URL {}", config.httpHost(),
                config.httpPort(), instances, scimBase);
        return new Application(vertx, owned, services, feed.get(), timers, deployment.get(),
                management.get(), changes.get(), index);
    }

    public Services services() {
        return services;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The feed of users, groups and memberships written through any instance: its lag and counts. */
    public ResourceChangeFeed changeFeed() {
        return changeFeed;
    }

    /** This instance's users and groups of every organisation. */
    public DirectoryIndex index() {
        return index;
    }

    /** What hears organisation and token changes made through other instances. */
    public AdminChangeFeed adminChangeFeed() {
        return feed;
    }

    /**
     * Stops in order, logging each step: readiness turns 503 (for {@code shutdown.unready-seconds}
     * before anything else), the port stops accepting and the requests
     * in flight are answered (bounded by {@code shutdown.drain-seconds}), token last-use times are
     * written, then the refusals counted past their organisation's budget, timers and the change feeds stop, the pool closes, and an embedded PostgreSQL this
     * started stops. The whole takes at most the unready pause, the drain and {@link
     * #STOP_AFTER_DRAIN_SECONDS}, whatever the database does (one that hangs would otherwise hold
     * each step to its own limit, a minute in all); the embedded PostgreSQL's own stop, bounded by
     * its pg_ctl, comes after. Safe to call more than once; later calls return at once.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        int drain = services.config().shutdownDrainSeconds();
        int unready = services.config().shutdownUnreadySeconds();
        StopDeadline deadline = new StopDeadline(Duration.ofSeconds(unready + drain + STOP_AFTER_DRAIN_SECONDS));
        services.ops().startDraining();
        LOG.info("Shutting down: readiness now answers 503");
        if (unready > 0 && httpDeployment != null) {
            // Load balancers stop sending new requests before the port closes under them.
            LOG.info("Waiting {} s before closing the HTTP port, for load balancers to see readiness 503", unready);
            try {
                Thread.sleep(unready * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (httpDeployment != null) {
                LOG.info("Closing the HTTP port; requests in flight have up to {} s to finish", drain);
                deadline.await(vertx.undeploy(httpDeployment).toCompletionStage(), Duration.ofSeconds(drain + 10L));
                LOG.info("HTTP server closed: every request in flight was answered or the drain time ran out");
            }
        } catch (Exception e) {
            LOG.warn("HTTP server did not close cleanly: {}", e.toString());
        }
        // Token last-use times before the refusal counts: both share what is left of the deadline, and the
        // times are what an admin goes by to retire a token.
        try {
            deadline.await(services.tokens().flushLastUse().toCompletionStage(), Duration.ofSeconds(10));
            LOG.info("Token last-use times written");
        } catch (Exception e) {
            LOG.warn("Token last-use times were not written at shut-down: {}", e.toString());
        }
        try {
            // No request comes in now: what was counted past the budget is written, else it is lost.
            deadline.await(services.refusals().recordAllCounted().toCompletionStage(), Duration.ofSeconds(10));
            LOG.info("Refused requests counted past their organisation's budget written");
        } catch (Exception e) {
            LOG.warn("Refused requests counted past their organisation's budget were not written at shut-down: {}",
                    e.toString());
        }
        try {
            // Bounded: a round whose relay hangs is left to its claims, which lapse and are sent again.
            deadline.await(services.members().stopDelivering().toCompletionStage(), Duration.ofSeconds(10));
            LOG.info("Invitation delivery stopped");
        } catch (Exception e) {
            LOG.warn("An invitation delivery round was still sending at shut-down; what it did not record is sent "
                    + "again once its claim lapses: {}", e.toString());
        }
        timers.forEach(vertx::cancelTimer);
        LOG.info("Timers stopped");
        try {
            if (feed != null) {
                deadline.await(feed.close().toCompletionStage(), Duration.ofSeconds(5));
                LOG.info("Change feed stopped");
            }
        } catch (Exception e) {
            LOG.warn("Change feed did not close cleanly: {}", e.toString());
        }
        try {
            deadline.await(changeFeed.close().toCompletionStage(), Duration.ofSeconds(5));
            LOG.info("Resource change feed stopped");
        } catch (Exception e) {
            LOG.warn("Resource change feed did not close cleanly: {}", e.toString());
        }
        try {
            if (management != null) {
                deadline.await(management.close().toCompletionStage(), Duration.ofSeconds(5));
            }
            deadline.await(services.pool().close().toCompletionStage(), Duration.ofSeconds(10));
            LOG.info("Database pool closed");
        } catch (Exception e) {
            LOG.warn("Database pool did not close cleanly: {}", e.toString());
        }
        try {
            deadline.await(vertx.close().toCompletionStage(), Duration.ofSeconds(30));
        } catch (Exception e) {
            LOG.warn("Shut-down did not complete cleanly: {}", e.toString());
        }
        if (database != null && database.embedded() != null) {
            closeEmbedded(database);
            LOG.info("Embedded PostgreSQL stopped");
        }
        LOG.info("kms-scim stopped");
    }

    private static void closeEmbedded(DatabaseTarget db) {
        if (db != null && db.embedded() != null) {
            try {
                db.embedded().close();
            } catch (Exception e) {
                LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.toString());
            }
        }
    }
}
