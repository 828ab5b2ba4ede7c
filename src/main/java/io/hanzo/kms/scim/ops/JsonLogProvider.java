package io.hanzo.kms.scim.ops;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SLF4J provider for {@code log.format=json}: one JSON object per line on standard error. It is
 * chosen by name through the {@code slf4j.provider} system property (see {@link LogSetup}) and is not
 * registered as a service, so plain logging stays with slf4j-simple. Levels come from the same
 * {@code simplelogger.properties} that configures plain logging, so both formats log the same events.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
    private static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final String LOGGER_LEVEL = "org.slf4j.simpleLogger.log.";

    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private Properties levels = new Properties();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, n -> new JsonLogger(n, levelOf(n), System.err));

    @Override
    public void initialize() {
        Properties p = new Properties();
        try (InputStream in = JsonLogProvider.class.getClassLoader().getResourceAsStream("simplelogger.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // Defaults apply: INFO for everything.
        }
        levels = p;
    }

    /** The most specific configured level: the logger's own name, then each parent package, then the default. */
    Level levelOf(String name) {
        String n = name;
        while (true) {
            String v = levels.getProperty(LOGGER_LEVEL + n);
            if (v != null) {
                return parse(v);
            }
            int dot = n.lastIndexOf('.');
            if (dot < 0) {
                return parse(levels.getProperty(DEFAULT_LEVEL, "info"));
            }
            n = n.substring(0, dot);
        }
    }

    private static Level parse(String v) {
        try {
            return Level.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            // "off" and unknown words: only errors.
            return Level.ERROR;
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
