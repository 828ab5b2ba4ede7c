package io.hanzo.kms.scim.ops;

import io.vertx.core.Future;

/**
 * A start-up step that failed, named by what it was doing ("database postgresql://db:5432/kms",
 * "HTTP server on 0.0.0.0:8080"), so that the failure can be told in one log line: its cause's own
 * message (a refused connection, a wrong password, a port in use) does not always say where.
 */
public final class StartupFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupFailure(String step, Throwable cause) {
        super(step, cause);
    }

    /** {@code future}, failed with the step named when it fails (unless a step inside it is named already). */
    public static <T> Future<T> during(String step, Future<T> future) {
        return future.recover(e -> Future.failedFuture(e instanceof StartupFailure ? e : new StartupFailure(step, e)));
    }

    /**
     * One line: the outermost named step, then the deepest cause's first line of message and its type.
     * Deeper causes say what went wrong at the bottom ("Connection refused"); the wrappers above them
     * (the migration tool's several lines, an ExecutionException) repeat it or add only noise.
     */
    public static String oneLine(Throwable failure) {
        String step = null;
        Throwable root = failure;
        // Bounded: a chain of causes can loop.
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 64; depth++, t = t.getCause()) {
            if (step == null && t instanceof StartupFailure) {
                step = t.getMessage();
            }
            root = t;
        }
        String message = root.getMessage() == null ? "" : root.getMessage().strip();
        int lineEnd = message.indexOf('\n');
        String firstLine = (lineEnd < 0 ? message : message.substring(0, lineEnd)).strip();
        String cause = firstLine.isEmpty() ? root.getClass().getSimpleName()
                : firstLine + " (" + root.getClass().getSimpleName() + ")";
        return step == null ? cause : step + ": " + cause;
    }
}
