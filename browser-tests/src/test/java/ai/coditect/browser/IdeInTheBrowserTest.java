package ai.coditect.browser;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.local.LocalPlatform;
import ai.coditect.functions.workspaces.LocalIde;
import ai.coditect.functions.workspaces.LocalWorkspaces;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.Eventually;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new user in Debian's Chromium: signs up in the web app, waits for the workspace, opens the IDE in the wrapper
 * and edits a file and runs a terminal in the real Theia of their own workspace; follows the IDE link from another
 * site; switches the theme; is signed out in the IDE when logging out in another tab. A second user is refused.
 * Screenshots of each page go to {@code target/screenshots}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(IdeInTheBrowserTest.ScreenshotOnFailure.class)
class IdeInTheBrowserTest {
    /** A failed test leaves a screenshot of every open browser, named after the test. */
    static final class ScreenshotOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (int i = 0; i < BROWSERS.size(); i++) {
                WebDriver browser = BROWSERS.get(i);
                try {
                    browser.switchTo().defaultContent();
                    shot(browser, "failed-" + context.getRequiredTestMethod().getName() + "-" + i);
                } catch (RuntimeException e) {
                    // a browser that cannot take one does not hide the failure
                }
            }
        }
    }

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PASSWORD = "correct horse battery staple";
    private static final Duration FIRST_IDE = Duration.ofMinutes(5);

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<WebDriver> BROWSERS = new ArrayList<>();
    private static Path dataDir;
    private static LocalPlatform platform;
    private static String base;
    private static Path screenshots;

    /** The first user's browser and what the tests learn about their workspace. */
    private static WebDriver ada;
    private static String adaIdeTab;
    private static JsonNode adaWorkspace;

    @BeforeAll
    static void startPlatform() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (./coditect test installs them as root: "
                        + "apt-get install chromium chromium-driver)");
        screenshots = Path.of(System.getProperty("coditect.screenshots", "target/screenshots"));
        Files.createDirectories(screenshots);
        dataDir = Files.createTempDirectory("coditect-browser");
        Path ideDir = Path.of(System.getProperty("coditect.ide.dir", "../ide")).toAbsolutePath().normalize();

        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CODITECT_IDE_DIR", ideDir.toString());
        env.remove("THEIA_URL");
        env.remove("CODITECT_IDE");
        env.put("CODITECT_WORKSPACE_BACKEND", "local");
        env.put("CODITECT_SIDECAR_JAR", Path.of(System.getProperty("coditect.sidecar.jar")).toString());
        // the one cached build, shared with ./coditect dev: built here if this checkout has none yet
        int port = freePort();
        WorkspacesConfig workspacesConfig = WorkspacesConfig.read(new Environment(env), Defaults.local(dataDir, port));
        LocalIde ide = LocalIde.of(workspacesConfig.local(), line -> System.out.println("IDE build: " + line));
        long buildStarted = System.nanoTime();
        try {
            ide.prepare().get(25, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            Assumptions.abort("the Theia application could not be built here, so there is no IDE to test: "
                    + e.getCause().getMessage());
        }
        System.out.printf("figure: IDE build ready in %.1f s (0 when cached)%n", (System.nanoTime() - buildStarted) / 1e9);

        System.setProperty("coditect.web.dir", Path.of(System.getProperty("coditect.web.dir", "../web/dist"))
                .toAbsolutePath().normalize().toString());
        LocalWorkspaces workspaces = LocalWorkspaces.create(workspacesConfig, dataDir.resolve("logs"));
        platform = LocalPlatform.start(env, dataDir, Clock.systemUTC(), new LocalPlatform.Options(port,
                Path.of(System.getProperty("coditect.invoker.jar")), PasswordHasher.Cost.OWASP, Duration.ZERO,
                workspaces));
        base = platform.baseUrl();
    }

    @AfterAll
    static void stopPlatform() throws IOException {
        BROWSERS.forEach(WebDriver::quit);
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void aNewUserSignsUpOpensTheIdeEditsAFileAndRunsATerminal() throws Exception {
        ada = browser();
        long started = System.nanoTime();
        signUp(ada, "ada@example.com", "Ada");
        until(ada, FIRST_IDE).until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=workspace-status]"),
                "Running"));
        double running = (System.nanoTime() - started) / 1e9;
        shot(ada, "workspace");
        adaWorkspace = api("GET", "/v1/workspaces/me", null, login("ada@example.com")).get("workspace");
        Path project = dataDir.resolve("workspaces").resolve(adaWorkspace.get("id").asText()).resolve("project");
        Files.writeString(project.resolve("hello.txt"), "hello from disk\n");

        ada.findElement(By.xpath("//button[normalize-space()='Open IDE']")).click();
        until(ada, Duration.ofSeconds(10)).until(ExpectedConditions.urlToBe(base + "/ide"));
        adaIdeTab = ada.getWindowHandle();
        workbenchInFrame(ada);
        double usable = (System.nanoTime() - started) / 1e9;
        System.out.printf("figure: sign-up to workspace running %.1f s, to a usable IDE in the wrapper %.1f s%n",
                running, usable);
        String theme = wrapperTheme(ada);
        inFrame(ada);
        // Theia starts dark (its default); the wrapper's theme, light in a headless browser, reaches it
        until(ada, Duration.ofSeconds(30)).until(d -> bodyClass(d).contains("theia-" + theme));
        ada.switchTo().defaultContent();
        until(ada, Duration.ofSeconds(30)).until(ExpectedConditions.attributeToBe(
                By.cssSelector("[data-testid=ide-connection]"), "data-state", "online"));
        shot(ada, "ide");

        // open the file from the explorer, type, save: the file on disk changes
        inFrame(ada);
        if (ada.findElements(By.xpath("//*[@id='files']//*[normalize-space(text())='hello.txt']")).isEmpty()) {
            until(ada, Duration.ofSeconds(30)).until(ExpectedConditions.elementToBeClickable(
                    By.id("shell-tab-explorer-view-container"))).click();
        }
        By helloNode = By.xpath("//*[@id='files']//*[normalize-space(text())='hello.txt']");
        By editor = By.cssSelector(".monaco-editor .view-lines");
        // a double click on a busy machine can arrive as two single clicks, or land while the tree re-renders:
        // open again until the editor is there
        long openBy = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (ada.findElements(editor).isEmpty() && System.nanoTime() < openBy) {
            WebElement file = until(ada, Duration.ofSeconds(60)).until(ExpectedConditions.elementToBeClickable(
                    helloNode));
            new Actions(ada).doubleClick(file).perform();
            try {
                until(ada, Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(editor));
            } catch (org.openqa.selenium.TimeoutException notYet) {
                // try again
            }
        }
        WebElement lines = until(ada, Duration.ofSeconds(30)).until(ExpectedConditions.elementToBeClickable(editor));
        lines.click();
        new Actions(ada).keyDown(Keys.CONTROL).sendKeys(Keys.END).keyUp(Keys.CONTROL)
                .sendKeys("typed in the browser").keyDown(Keys.CONTROL).sendKeys("s").keyUp(Keys.CONTROL).perform();
        Path hello = project.resolve("hello.txt");
        assertTrue(Eventually.holds(Duration.ofSeconds(30), () -> read(hello).contains("typed in the browser")),
                "the file on disk after saving: " + read(hello));
        ada.switchTo().defaultContent();
        shot(ada, "ide-editor");

        // a terminal runs a command in the workspace's folder
        inFrame(ada);
        new Actions(ada).sendKeys(Keys.F1).perform();
        WebElement quick = until(ada, Duration.ofSeconds(30)).until(ExpectedConditions.elementToBeClickable(
                By.cssSelector(".quick-input-widget input")));
        quick.sendKeys("Create New Terminal");
        until(ada, Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//*[contains(@class,'quick-input-list')]//*[contains(., 'Create New Terminal')]")));
        quick.sendKeys(Keys.ENTER);
        until(ada, Duration.ofSeconds(60)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".xterm-helper-textarea")));
        Path out = project.resolve("from-terminal.txt");
        // the shell may still be starting: type again until the command has run. The redirection creates the
        // file before echo writes to it, so wait for a whole line, not for the file
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!read(out).endsWith("\n") && System.nanoTime() < deadline) {
            new Actions(ada).sendKeys("echo $((6*7)) > from-terminal.txt").sendKeys(Keys.ENTER).perform();
            try {
                Eventually.holds(Duration.ofSeconds(5), () -> read(out).endsWith("\n"));
            } catch (AssertionError notYet) {
                // the shell was not ready for the keys yet: type the command again
            }
        }
        assertTrue(Files.exists(out), "the terminal ran the command");
        assertEquals("42", read(out).strip());
        ada.switchTo().defaultContent();
        shot(ada, "ide-terminal");
    }

    @Test
    @Order(2)
    void theThemeSwitchInTheWrapperReachesTheIde() throws Exception {
        Assumptions.assumeTrue(adaIdeTab != null, "needs the open IDE of the first test");
        ada.switchTo().window(adaIdeTab).switchTo().defaultContent();
        String before = wrapperTheme(ada);
        String after = before.equals("dark") ? "light" : "dark";
        ada.findElement(By.xpath("//header//button[normalize-space()='" + (after.equals("dark") ? "Dark" : "Light")
                + " theme']")).click();
        inFrame(ada);
        until(ada, Duration.ofSeconds(20)).until(d -> bodyClass(d).contains("theia-" + after)
                && !bodyClass(d).contains("theia-" + before));
        ada.switchTo().defaultContent();
        assertEquals(after, wrapperTheme(ada));
        shot(ada, "ide-" + after);
    }

    @Test
    @Order(3)
    void theIdeLinkWorksWhenFollowedFromAPageOnAnotherSite() throws Exception {
        Assumptions.assumeTrue(adaWorkspace != null, "needs the first user's workspace");
        String token = login("ada@example.com");
        String link = adaWorkspace.get("url").asText() + "?access_token=" + token;
        HttpResponse<Void> landing = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding());
        // a redirect with a SameSite=Strict cookie would pass a pasted link but fail this one: the redirected
        // request of a cross-site navigation carries no Strict cookie
        assertEquals(200, landing.statusCode(), "the link answers a landing page, not a redirect");
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", ex -> {
            byte[] page = ("<!doctype html><title>Chat</title><p>Your IDE: <a id=go href=\"" + link
                    + "\">open it</a></p>").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        other.start();
        WebDriver browser = browser();
        try {
            // "localhost" is another site than the workspace's 127.0.0.1, as a mail or chat page would be
            browser.get("http://localhost:" + other.getAddress().getPort() + "/");
            browser.findElement(By.id("go")).click();
            until(browser, Duration.ofSeconds(90)).until(ExpectedConditions.presenceOfElementLocated(
                    By.id("theia-app-shell")));
            assertFalse(browser.getCurrentUrl().contains("access_token"), browser.getCurrentUrl());
            shot(browser, "ide-from-another-site");
        } finally {
            other.stop(0);
        }
    }

    @Test
    @Order(4)
    void aSecondUserCannotOpenTheFirstUsersIde() throws Exception {
        Assumptions.assumeTrue(adaWorkspace != null, "needs the first user's workspace");
        WebDriver bob = browser();
        signUp(bob, "bob@example.com", "Bob");
        until(bob, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-testid=workspace-status]")));
        String bobToken = login("bob@example.com");
        String adaUrl = adaWorkspace.get("url").asText();

        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(adaUrl))
                .header("Authorization", "Bearer " + bobToken).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), refused.body());
        bob.get(adaUrl + "?access_token=" + bobToken);
        until(bob, Duration.ofSeconds(20)).until(d -> !d.findElements(By.tagName("body")).isEmpty());
        assertTrue(bob.findElements(By.id("theia-app-shell")).isEmpty(), "no IDE for another user");
        assertFalse(bob.getPageSource().contains("hello.txt"));
        shot(bob, "refused-other-users-ide");
    }

    @Test
    @Order(5)
    void loggingOutInAnotherTabClosesTheIdeWith1008AndTheWrapperSaysSignedOut() throws Exception {
        Assumptions.assumeTrue(adaIdeTab != null, "needs the open IDE of the first test");
        ada.switchTo().window(adaIdeTab).switchTo().defaultContent();
        ada.switchTo().newWindow(WindowType.TAB);
        ada.get(base + "/account");
        until(ada, Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//*[contains(normalize-space(), '(this session)')]")));
        shot(ada, "account");
        ada.findElement(By.xpath("//header//button[normalize-space()='Log out']")).click();
        until(ada, Duration.ofSeconds(10)).until(ExpectedConditions.urlToBe(base + "/login"));
        shot(ada, "login");

        ada.switchTo().window(adaIdeTab).switchTo().defaultContent();
        // the sidecar rechecks sessions every 3 s here (CODITECT_SESSION_RECHECK in the pom); allow for a busy machine
        until(ada, Duration.ofSeconds(45)).until(ExpectedConditions.attributeToBe(
                By.cssSelector("[data-testid=ide-connection]"), "data-code", "1008"));
        WebElement dialog = ada.findElement(By.cssSelector("[role=alertdialog]"));
        assertTrue(dialog.getText().contains("You are signed out"), dialog.getText());
        assertTrue(dialog.getText().contains("Log in again"), dialog.getText());
        shot(ada, "ide-signed-out");
    }

    // ---- helpers ----

    private static WebDriver browser() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,900", "--user-data-dir=" + Files.createTempDirectory("coditect-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        BROWSERS.add(driver);
        return driver;
    }

    private static void signUp(WebDriver browser, String email, String name) {
        browser.get(base + "/signup");
        until(browser, Duration.ofSeconds(20)).until(ExpectedConditions.elementToBeClickable(By.name("email")));
        shot(browser, "signup");
        browser.findElement(By.name("name")).sendKeys(name);
        browser.findElement(By.name("email")).sendKeys(email);
        browser.findElement(By.name("password")).sendKeys(PASSWORD);
        browser.findElement(By.xpath("//button[normalize-space()='Sign up']")).click();
        until(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlToBe(base + "/workspace"));
    }

    private static void workbenchInFrame(WebDriver browser) {
        inFrame(browser);
        until(browser, FIRST_IDE).until(ExpectedConditions.presenceOfElementLocated(By.id("theia-app-shell")));
        until(browser, Duration.ofSeconds(60)).until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector(".theia-preload")));
    }

    private static void inFrame(WebDriver browser) {
        browser.switchTo().defaultContent();
        until(browser, FIRST_IDE).until(ExpectedConditions.frameToBeAvailableAndSwitchToIt(
                By.cssSelector("iframe[title=IDE]")));
    }

    private static String wrapperTheme(WebDriver browser) {
        browser.switchTo().defaultContent();
        return (String) ((JavascriptExecutor) browser).executeScript("return document.documentElement.dataset.theme");
    }

    private static String bodyClass(WebDriver browser) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("return document.body.className"));
    }

    private static WebDriverWait until(WebDriver browser, Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    private static void shot(WebDriver browser, String name) {
        try {
            Files.write(screenshots.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String login(String email) throws IOException, InterruptedException {
        return api("POST", "/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}", null)
                .get("accessToken").asText();
    }

    private static JsonNode api(String method, String path, String json, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> reply = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(reply.statusCode() < 300, method + " " + path + ": " + new String(reply.body(), StandardCharsets.UTF_8));
        return Json.tree(reply.body());
    }

    private static int freePort() {
        return ai.coditect.shared.net.FreePorts.any();
    }
}
