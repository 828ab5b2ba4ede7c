package io.hanzo.kms.scim.ops;

import io.hanzo.kms.scim.index.DirectoryIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The server's Prometheus registry. Vert.x reports HTTP server requests (by matched route template,
 * method and status, never by raw path, so the series stay few), the database pool and the JVM into it;
 * the server adds its own meters here: group-commit batch sizes, index sizes, the invitation outbox,
 * refused requests counted rather than recorded one by one, and the event loops' scheduling delay.
 */
public final class ServerMetrics {
    /** Vert.x's request timer; a histogram so that percentiles can be computed across instances. */
    private static final String HTTP_RESPONSE_TIME = "vertx.http.server.response.time";
    /** RFC 9110's methods and PATCH (RFC 5789), as sent: method names are case-sensitive. */
    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary batchSizes;
    private final Counter deliveryFailures;
    private final Counter refusalsSummarised;
    private final AtomicLong outboxBacklog = new AtomicLong();
    private final Timer eventLoopDelay;

    public ServerMetrics() {
        // Vert.x names a request's route by every route it passed, joined with '>' (the body and
        // token handlers, then the endpoint); the endpoint's template alone says which one it was.
        registry.config().meterFilter(MeterFilter.replaceTagValues("route", r -> r.substring(r.lastIndexOf('>') + 1)));
        // A request's method is any token its client sends, before a token is checked: each new one
        // would add its own series for good, and a few thousand requests could grow a scrape past the
        // heap. Methods outside the standard ones are counted together.
        registry.config().meterFilter(MeterFilter.replaceTagValues("method", m -> STANDARD_METHODS.contains(m) ? m : "other"));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals(HTTP_RESPONSE_TIME)) {
                    return DistributionStatisticConfig.builder()
                            .percentilesHistogram(true)
                            .minimumExpectedValue((double) TimeUnit.MILLISECONDS.toNanos(1))
                            .maximumExpectedValue((double) TimeUnit.SECONDS.toNanos(30))
                            .build().merge(config);
                }
                return config;
            }
        });
        batchSizes = DistributionSummary.builder("kms.scim.group.commit.batch.size")
                .description("User creations that shared one statement and commit")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(1000.0)
                .register(registry);
        deliveryFailures = Counter.builder("kms.scim.invitation.delivery.failures")
                .description("Invitations whose sending failed and went back to the outbox")
                .register(registry);
        refusalsSummarised = Counter.builder("kms.scim.refusals.summarised")
                .description("Refused SCIM requests past their organisation's event budget, written as a count in one "
                        + "event instead of one by one")
                .register(registry);
        Gauge.builder("kms.scim.invitation.outbox.backlog", outboxBacklog, AtomicLong::doubleValue)
                .description("Invitations queued and not yet delivered, all organisations (refreshed periodically)")
                .register(registry);
        eventLoopDelay = Timer.builder("kms.scim.event.loop.delay")
                .description("How late a 1-second timer fires on an HTTP event loop: work blocking the loop shows here")
                .register(registry);
    }

    /** A Vert.x builder whose metrics go into this registry. */
    public VertxBuilder vertxBuilder(VertxOptions options) {
        options.setMetricsOptions(new MicrometerMetricsOptions()
                .setEnabled(true)
                .setJvmMetricsEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
                        Label.POOL_NAME, Label.NAMESPACE)));
        return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Gauges over the in-memory index, summed over organisations at each scrape. */
    public void watchIndex(DirectoryIndex index) {
        Gauge.builder("kms.scim.index.users", index, DirectoryIndex::userCount)
                .description("Users held in this instance's index, all organisations").register(registry);
        Gauge.builder("kms.scim.index.groups", index, DirectoryIndex::groupCount)
                .description("Groups held in this instance's index, all organisations").register(registry);
        Gauge.builder("kms.scim.index.memberships", index, DirectoryIndex::membershipCount)
                .description("Group memberships held in this instance's index, all organisations").register(registry);
    }

    /**
     * How far this instance's view of users and groups trails the database, for the change feed that
     * keeps several instances' indexes in step; it registers the gauge when it starts.
     */
    public void watchChangeFeedLag(Supplier<Duration> lag) {
        Gauge.builder("kms.scim.change.feed.lag", lag, l -> l.get().toNanos() / 1e9)
                .description("Age of the newest change this instance has not applied yet")
                .baseUnit("seconds")
                // Micrometer holds a gauge's object weakly, and nothing else holds this supplier: without
                // this the gauge reads NaN after the first garbage collection.
                .strongReference(true)
                .register(registry);
    }

    public void batchCommitted(int size) {
        batchSizes.record(size);
    }

    public void deliveryFailed() {
        deliveryFailures.increment();
    }

    public void refusalsSummarised(long count) {
        refusalsSummarised.increment(count);
    }

    public void outboxBacklog(long count) {
        outboxBacklog.set(count);
    }

    /**
     * Measures the calling event loop: a periodic timer on it records how late each tick fires.
     * Returns the timer id, to cancel on shut-down.
     */
    public long probeEventLoop(Vertx vertx) {
        long periodNanos = TimeUnit.SECONDS.toNanos(1);
        long[] expected = {System.nanoTime() + periodNanos};
        return vertx.setPeriodic(1000, id -> {
            long now = System.nanoTime();
            eventLoopDelay.record(Math.max(0, now - expected[0]), TimeUnit.NANOSECONDS);
            expected[0] = now + periodNanos;
        });
    }
}
