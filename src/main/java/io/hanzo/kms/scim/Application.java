package io.hanzo.kms.scim;

import io.hanzo.kms.scim.admin.AdminAuth;
import io.hanzo.kms.scim.admin.InvitationSender;
import io.hanzo.kms.scim.admin.LogInvitationSender;
import io.hanzo.kms.scim.admin.SmtpInvitationSender;
import io.hanzo.kms.scim.admin.MembershipService;
import io.hanzo.kms.scim.admin.OrganizationService;
import io.hanzo.kms.scim.admin.TokenService;
import io.hanzo.kms.scim.config.AppConfig;
import io.hanzo.kms.scim.http.ApiRouter;
import io.hanzo.kms.scim.http.HttpVerticle;
import io.hanzo.kms.scim.http.Services;
import io.hanzo.kms.scim.http.TokenRateLimits;
import io.hanzo.kms.scim.index.DirectoryIndex;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.DiscoveryDocuments;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.service.EventRetention;
import io.hanzo.kms.scim.service.GroupService;
import io.hanzo.kms.scim.service.UserService;
import io.hanzo.kms.scim.store.pg.AdminChangeFeed;
import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;
import io.hanzo.kms.scim.store.pg.PgEventStore;
import io.hanzo.kms.scim.store.pg.PgGroupStore;
import io.hanzo.kms.scim.store.pg.PgMemberStore;
import io.hanzo.kms.scim.store.pg.PgOrganizationStore;
import io.hanzo.kms.scim.store.pg.PgTokenStore;
import io.hanzo.kms.scim.store.pg.PgUserStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
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

    private final Vertx vertx;
    private final DatabaseTarget database;
    private final Services services;
    private final AdminChangeFeed feed;
    private final List<Long> timers;

    private Application(Vertx vertx, DatabaseTarget database, Services services, AdminChangeFeed feed, List<Long> timers) {
        this.vertx = vertx;
        this.database = database;
        this.services = services;
        this.feed = feed;
        this.timers = timers;
    }

    /** Starts the server, using {@code database} when given, else what the configuration says. */
    public static Application start(AppConfig config, DatabaseTarget database) throws Exception {
        DatabaseTarget db = database != null ? database : DatabaseSetup.target(config);
        DatabaseSetup.migrate(db);
        AdminAuth adminAuth = AdminAuth.initialise(config.adminToken(), config.dataDir());

        VertxOptions options = new VertxOptions();
        Vertx vertx = Vertx.vertx(options);
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
        InvitationSender sender = config.smtpHost().isEmpty() ? new LogInvitationSender(config.invitationsLogLinks())
                : new SmtpInvitationSender(vertx, new SmtpInvitationSender.Relay(config.smtpHost(), config.smtpPort(),
                        config.smtpFrom(), SmtpInvitationSender.StartTls.valueOf(config.smtpStarttls().toUpperCase(Locale.ROOT)),
                        config.smtpUsername(), config.smtpPassword(), config.smtpTrustFile()));
        MembershipService members = new MembershipService(new PgMemberStore(pool), orgs, index, sender,
                config.publicUrl() + "/account/setup", Duration.ofHours(config.invitationsSetupTokenTtlHours()));
        PgEventStore events = new PgEventStore(pool);
        Services services = new Services(config, pool, adminAuth, orgs, tokens, users, groups, members,
                events, discovery, new TokenRateLimits(config.scimRateLimitPerSecond(), config.scimRateLimitBurst()));
        EventRetention retention = new EventRetention(events, orgs, Duration.ofDays(config.eventsRetentionDays()));

        users.onProvisioned(members::invitationsQueued);
        // Listen before loading, so that no change between the two is missed.
        AtomicReference<AdminChangeFeed> feed = new AtomicReference<>();
        Future<String> started = AdminChangeFeed.start(vertx, db,
                        orgId -> orgs.refresh(orgId).compose(v -> members.refreshRoleMappings(orgId)), tokens::refresh,
                        () -> orgs.load().compose(tokens::reload))
                .onSuccess(feed::set)
                .compose(f -> orgs.load())
                .compose(all -> tokens.load(all).compose(v -> users.load(all)).compose(v -> groups.load(all))
                        .compose(v -> members.load(all)))
                .compose(v -> vertx.deployVerticle(() -> new HttpVerticle(services),
                        new DeploymentOptions().setInstances(instances)));
        try {
            started.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            vertx.close();
            closeEmbedded(database == null ? db : null);
            throw e;
        }
        long flushMillis = config.tokensLastUsedFlushSeconds() * 1000L;
        List<Long> timers = List.of(
                vertx.setPeriodic(flushMillis, id -> tokens.flushLastUse()),
                vertx.setPeriodic(config.invitationsPollMillis(), id -> members.deliverInvitations()
                        .onFailure(e -> LOG.warn("Invitation delivery failed; will retry: {}", e.getMessage()))),
                vertx.setPeriodic(OUTBOX_SWEEP_MILLIS, id -> members.sweepAll()),
                vertx.setPeriodic(config.eventsPruneIntervalSeconds() * 1000L, id -> retention.prune()
                        .onFailure(e -> LOG.warn("Pruning old provisioning events failed; will retry: {}", e.toString()))));
        LOG.info("kms-scim listening on {}:{} with {} HTTP verticles; SCIM base URL {}", config.httpHost(),
                config.httpPort(), instances, scimBase);
        return new Application(vertx, database == null ? db : null, services, feed.get(), timers);
    }

    public Services services() {
        return services;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Stops serving, writes what is only in memory, and stops the embedded database this started. */
    public void stop() {
        // Background work first, so nothing keeps trying the pool while it closes.
        timers.forEach(vertx::cancelTimer);
        try {
            feed.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Change feed did not close cleanly: {}", e.toString());
        }
        try {
            services.tokens().flushLastUse().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Token last-use times were not written at shut-down: {}", e.toString());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Shut-down did not complete cleanly: {}", e.toString());
        }
        closeEmbedded(database);
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
