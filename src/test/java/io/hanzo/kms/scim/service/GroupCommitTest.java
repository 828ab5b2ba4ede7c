package io.hanzo.kms.scim.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A batch the database refuses for one bad write is retried write by write: only the bad one fails. */
class GroupCommitTest {
    /** Stands for the database: refuses a whole statement when one row is "bad", as PostgreSQL does. */
    private static final class Statements {
        final List<List<String>> seen = new CopyOnWriteArrayList<>();

        Future<List<String>> write(List<String> batch) {
            seen.add(List.copyOf(batch));
            if (batch.contains("bad")) {
                return Future.failedFuture(new IllegalArgumentException("refused"));
            }
            List<String> out = new ArrayList<>();
            batch.forEach(w -> out.add("ok:" + w));
            return Future.succeededFuture(out);
        }
    }

    @Test
    void aRefusedBatchIsRetriedOneByOne() {
        Statements db = new Statements();
        // The first write goes alone and is held in flight, so the next ones form one batch.
        io.vertx.core.Promise<List<String>> first = io.vertx.core.Promise.promise();
        GroupCommit<String, String> commit = new GroupCommit<>(batch -> batch.contains("first") ? first.future() : db.write(batch),
                100, IllegalArgumentException.class::isInstance);
        Future<String> lead = commit.submit("first");
        List<Future<String>> outcomes = new ArrayList<>();
        for (String w : List.of("a", "b", "bad", "c")) {
            outcomes.add(commit.submit(w));
        }
        first.complete(List.of("ok:first"));

        assertThat(lead.result()).isEqualTo("ok:first");
        assertThat(db.seen).as("one batch, then each write alone")
                .containsExactly(List.of("a", "b", "bad", "c"), List.of("a"), List.of("b"), List.of("bad"), List.of("c"));
        assertThat(outcomes.get(0).result()).isEqualTo("ok:a");
        assertThat(outcomes.get(1).result()).isEqualTo("ok:b");
        assertThat(outcomes.get(2).failed()).isTrue();
        assertThat(outcomes.get(2).cause()).hasMessage("refused");
        assertThat(outcomes.get(3).result()).isEqualTo("ok:c");
    }

    @Test
    void theNextBatchIsSentBeforeTheCallersOfTheLastOneHearTheirOutcome() {
        Statements db = new Statements();
        io.vertx.core.Promise<List<String>> first = io.vertx.core.Promise.promise();
        GroupCommit<String, String> commit = new GroupCommit<>(batch -> batch.contains("first") ? first.future() : db.write(batch),
                100, failure -> false);
        List<List<List<String>>> seenWhenAnswered = new ArrayList<>();
        commit.submit("first").onSuccess(v -> seenWhenAnswered.add(List.copyOf(db.seen)));
        Future<String> a = commit.submit("a");
        Future<String> b = commit.submit("b");
        first.complete(List.of("ok:first"));

        // By the time the first write's caller is answered, the writes queued behind it are written.
        assertThat(seenWhenAnswered).containsExactly(List.of(List.of("a", "b")));
        assertThat(a.result()).isEqualTo("ok:a");
        assertThat(b.result()).isEqualTo("ok:b");
    }

    @Test
    void otherFailuresFailTheBatchWithoutRetries() {
        Statements db = new Statements();
        io.vertx.core.Promise<List<String>> first = io.vertx.core.Promise.promise();
        GroupCommit<String, String> commit = new GroupCommit<>(batch -> batch.contains("first") ? first.future() : db.write(batch),
                100, IllegalStateException.class::isInstance);
        commit.submit("first");
        Future<String> a = commit.submit("a");
        Future<String> bad = commit.submit("bad");
        first.complete(List.of("ok:first"));

        // The failure may have written something (a lost connection), so nothing is tried again.
        assertThat(db.seen).containsExactly(List.of("a", "bad"));
        assertThat(a.failed()).isTrue();
        assertThat(bad.failed()).isTrue();
    }
}
