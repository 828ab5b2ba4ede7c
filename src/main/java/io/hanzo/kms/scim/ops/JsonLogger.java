package io.hanzo.kms.scim.ops;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Writes each event as one JSON object on one line: {@code ts}, {@code level}, {@code logger},
 * {@code thread}, {@code msg}, the event's key-value pairs as fields of their own, and {@code error}
 * with the stack trace when there is one. Lines are written whole, so concurrent events never mix.
 */
final class JsonLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();
    private final Level threshold;
    private final transient PrintStream out;

    JsonLogger(String name, Level threshold, PrintStream out) {
        this.name = name;
        this.threshold = threshold;
        this.out = out;
    }

    private boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        write(level, System.currentTimeMillis(), Thread.currentThread().getName(), format(pattern, arguments),
                List.of(), throwable);
    }

    /** Events of the fluent API, with their key-value pairs. */
    @Override
    public void log(LoggingEvent event) {
        if (!enabled(event.getLevel())) {
            return;
        }
        long ts = event.getTimeStamp() > 0 ? event.getTimeStamp() : System.currentTimeMillis();
        String thread = event.getThreadName() != null ? event.getThreadName() : Thread.currentThread().getName();
        List<KeyValuePair> pairs = event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs();
        write(event.getLevel(), ts, thread, format(event.getMessage(), event.getArgumentArray()), pairs,
                event.getThrowable());
    }

    private static String format(String pattern, Object[] arguments) {
        return arguments == null || arguments.length == 0 ? pattern
                : MessageFormatter.basicArrayFormat(pattern, arguments);
    }

    private void write(Level level, long millis, String thread, String message, List<KeyValuePair> pairs,
                       Throwable throwable) {
        StringWriter line = new StringWriter(160);
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("ts", Instant.ofEpochMilli(millis).toString());
            g.writeStringField("level", level.name());
            g.writeStringField("logger", name);
            g.writeStringField("thread", thread);
            g.writeStringField("msg", message);
            for (KeyValuePair p : pairs) {
                if (p.value instanceof Number n) {
                    g.writeFieldName(p.key);
                    g.writeNumber(n.toString());
                } else {
                    g.writeStringField(p.key, String.valueOf(p.value));
                }
            }
            if (throwable != null) {
                StringWriter trace = new StringWriter();
                throwable.printStackTrace(new PrintWriter(trace));
                g.writeStringField("error", trace.toString());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        line.append('\n');
        out.print(line);
        out.flush();
    }
}
