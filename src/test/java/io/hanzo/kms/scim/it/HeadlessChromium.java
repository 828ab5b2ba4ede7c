package io.hanzo.kms.scim.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium, headless, driven by Debian's chromedriver. Both are found at fixed paths (or
 * CHROME_BIN / CHROMEDRIVER), so Selenium never looks for a driver or browser on the network; when
 * they are missing, the calling suite's tests are skipped with a message that says how to install them.
 * Every request the browser sends is kept in Chrome's performance log, for checks on what left the page.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request the browser sent: its method, URL, and body (null when it had none). */
    record SentRequest(String method, String url, String body) {
    }

    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static final String NOT_INSTALLED = "Skipped: these tests need Chromium and chromedriver. Install them with "
            + "'apt-get install chromium chromium-driver' (.ci/run does), or set CHROME_BIN and CHROMEDRIVER.";

    /** Skips the calling test, with a message that says how to install the browser, when there is none. */
    static void assumeInstalled(HeadlessChromium browser) {
        Assumptions.assumeTrue(browser != null, NOT_INSTALLED);
    }

    /** Starts the browser, or returns null when Chromium or its driver is not installed. */
    static HeadlessChromium startIfInstalled() {
        File browser = executable("CHROME_BIN", "/usr/bin/chromium", "/usr/bin/chromium-browser");
        File driverBinary = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
        if (browser == null || driverBinary == null) {
            return null;
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("kms-scim-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.PERFORMANCE, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driverBinary)
                .usingAnyFreePort()
                .build();
        return new HeadlessChromium(new ChromeDriver(service, options), profile);
    }

    /** The program the variable names when it is set, else the first of the usual paths that exists. */
    private static File executable(String variable, String... usualPaths) {
        String chosen = System.getenv(variable);
        for (String p : chosen != null && !chosen.isBlank() ? new String[] {chosen} : usualPaths) {
            if (new File(p).canExecute()) {
                return new File(p);
            }
        }
        return null;
    }

    ChromeDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String id) {
        return driver.findElement(By.id(id));
    }

    /**
     * Waits up to {@code seconds} for a condition, polling. The pages redraw lists when data arrives,
     * so an element found a moment ago may be gone: that counts as not yet.
     */
    <T> T await(int seconds, String what, ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100))
                .withMessage(what)
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** Waits until the element with this id is shown. */
    WebElement awaitVisible(String id) {
        return await(15, "#" + id + " is shown", d -> {
            WebElement e = d.findElement(By.id(id));
            return e.isDisplayed() ? e : null;
        });
    }

    /** Replaces an input's text the way a person types it. */
    void type(String id, String text) {
        WebElement e = find(id);
        e.clear();
        e.sendKeys(text);
    }

    Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** The page's whole width and height, so a screenshot can hold all of it. */
    void screenshot(Path file, int width) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        try {
            Number height = (Number) driver.executeScript("return Math.ceil(document.documentElement.scrollHeight)");
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                    "format", "png", "captureBeyondViewport", true,
                    "clip", Map.of("x", 0, "y", 0, "width", width, "height", height.intValue(), "scale", 1)));
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * The shown inputs, selects, text areas and buttons with no accessible name: no label, no
     * aria-label or aria-labelledby, and (for buttons) no text.
     */
    @SuppressWarnings("unchecked")
    List<String> unnamedControls() {
        return (List<String>) driver.executeScript("const out = [];"
                + "for (const e of document.querySelectorAll('input, select, textarea, button')) {"
                + "  if (!e.getClientRects().length || e.type === 'hidden') continue;"
                + "  const named = (e.labels && e.labels.length) || e.getAttribute('aria-label')"
                + "    || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent.trim());"
                + "  if (!named) out.push(e.outerHTML.slice(0, 120));"
                + "}"
                + "return out;");
    }

    /**
     * Clicks a download link and returns the file the browser saved, waiting for it to be complete.
     */
    Path download(WebElement link, String fileName) {
        try {
            Path dir = Files.createTempDirectory(profile, "downloads");
            driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", dir.toString()));
            link.click();
            Path file = dir.resolve(fileName);
            await(15, "the download of " + fileName, d -> {
                try (var entries = Files.list(dir)) {
                    return Files.exists(file) && entries.noneMatch(p -> p.toString().endsWith(".crdownload")) ? file : null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * With a viewport {@code width} CSS pixels wide, the shown elements that reach past its right edge
     * (tag, id, class, right edge), outside regions that scroll sideways on purpose; none means the
     * page reads without scrolling sideways.
     */
    @SuppressWarnings("unchecked")
    List<String> overflowingAt(int width) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        try {
            return (List<String>) driver.executeScript("const w = arguments[0]; const out = [];"
                    + "const focused = document.activeElement; if (focused) focused.blur();"
                    + "for (const e of document.body.querySelectorAll('*')) {"
                    + "  if (e.closest('.table-wrap') || e.closest('.skip') || !e.getClientRects().length) continue;"
                    + "  const r = e.getBoundingClientRect();"
                    + "  const name = e.tagName + '#' + e.id + '.' + e.className;"
                    + "  if (r.right > w + 0.5) out.push(name + ' ' + Math.round(r.right));"
                    + "  else if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'"
                    + "      && e.clientWidth > 0) out.push(name + ' content ' + e.scrollWidth + ' in ' + e.clientWidth);"
                    + "}"
                    + "if (document.documentElement.scrollWidth > w) out.push('page ' + document.documentElement.scrollWidth);"
                    + "return out;", width);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /**
     * The requests the browser sent since the last call, from Chrome's performance log
     * ({@code Network.requestWillBeSent}), with their bodies as Chrome saw them.
     */
    List<SentRequest> sentRequests() {
        List<SentRequest> out = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message;
            try {
                message = JSON.readTree(entry.getMessage()).path("message");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!"Network.requestWillBeSent".equals(message.path("method").asText())) {
                continue;
            }
            JsonNode request = message.path("params").path("request");
            out.add(new SentRequest(request.path("method").asText(), request.path("url").asText(), body(request)));
        }
        return out;
    }

    /** The body as text: Chrome gives it as {@code postData}, or as base64 {@code postDataEntries}. */
    private static String body(JsonNode request) {
        if (request.hasNonNull("postData")) {
            return request.get("postData").asText();
        }
        if (request.path("postDataEntries").isArray() && !request.get("postDataEntries").isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : request.get("postDataEntries")) {
                b.append(new String(Base64.getDecoder().decode(part.path("bytes").asText()), StandardCharsets.UTF_8));
            }
            return b.toString();
        }
        if (request.path("hasPostData").asBoolean(false)) {
            throw new AssertionError("Chrome logged a request body it did not show: " + request);
        }
        return null;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
