package io.cumulus.bench.sync;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two Syncthing instances on 127.0.0.1, each with a home dir of its own, sharing one folder (send-receive on both,
 * watcher on with a 1 s delay, periodic rescan hourly). Global and local discovery, relays, NAT traversal, usage
 * reporting and upgrades are off; each device knows the other only by a static address, which is a byte-counting
 * proxy in front of the other's listener, so every byte between the two goes through a proxy. Configured by
 * editing the config.xml that {@code syncthing generate} writes, driven through the REST API with the API key.
 */
final class SyncthingDriver implements SyncTool {
    static final String FOLDER_ID = "bench";

    private final Path work;
    private final String binary;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Device a;
    private final Device b;
    private ByteCountingProxy toA;
    private ByteCountingProxy toB;

    /** One instance: its home dir, ports, API key, device id and process. */
    private static final class Device {
        final String name;
        final Path home;
        final Path folder;
        final String apiKey = UUID.randomUUID().toString().replace("-", "");
        final int guiPort = freePort();
        final int listenPort = freePort();
        String id;
        Process process;

        Device(String name, Path home, Path folder) {
            this.name = name;
            this.home = home;
            this.folder = folder;
        }
    }

    SyncthingDriver(Path work, String binary) {
        this.work = work;
        this.binary = binary;
        this.a = new Device("A", work.resolve("home-a"), work.resolve("folder-a"));
        this.b = new Device("B", work.resolve("home-b"), work.resolve("folder-b"));
    }

    @Override
    public String name() {
        return "Syncthing";
    }

    @Override
    public Path folderA() {
        return a.folder;
    }

    @Override
    public Path folderB() {
        return b.folder;
    }

    /** The installed version, e.g. {@code syncthing v1.19.2-ds1 "Fermium Flea" ...}. */
    String version() throws Exception {
        return run(binary, "--version").trim();
    }

    @Override
    public void start() throws Exception {
        for (Device d : List.of(a, b)) {
            run(binary, "generate", "--home=" + d.home, "--no-default-folder");
            String out = run(binary, "serve", "--home=" + d.home, "--device-id").trim();
            d.id = out.substring(out.lastIndexOf('\n') + 1).trim();
            Files.createDirectories(d.folder.resolve(".stfolder"));
        }
        toA = new ByteCountingProxy(a.listenPort);
        toB = new ByteCountingProxy(b.listenPort);
        configure(a, b, toB.port());
        configure(b, a, toA.port());
        for (Device d : List.of(a, b)) {
            d.process = serve(d);
        }
        for (Device d : List.of(a, b)) {
            await(() -> get(d, "/rest/system/ping").path("ping").asString().equals("pong"), d.name + " to answer");
        }
        await(() -> get(a, "/rest/system/connections").path("connections").path(b.id).path("connected").asBoolean(),
                "A and B to connect");
        for (Device d : List.of(a, b)) {
            await(() -> folderStatus(d).path("state").asString().equals("idle"), d.name + "'s folder to be idle");
        }
        ByteCountingProxy.awaitQuiet(List.of(toA, toB), Duration.ofSeconds(2));
    }

    /** Rewrites {@code d}'s generated config.xml: loopback only, nothing announced or reported, the peer and the folder. */
    private void configure(Device d, Device peer, int peerPort) throws Exception {
        Path file = d.home.resolve("config.xml");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        Element root = doc.getDocumentElement();

        Element options = child(root, "options");
        NodeList listen = options.getElementsByTagName("listenAddress");
        while (listen.getLength() > 0) {
            options.removeChild(listen.item(0));
        }
        options.appendChild(text(doc, "listenAddress", "tcp://127.0.0.1:" + d.listenPort));
        set(options, "globalAnnounceEnabled", "false");
        set(options, "localAnnounceEnabled", "false");
        set(options, "relaysEnabled", "false");
        set(options, "natEnabled", "false");
        set(options, "urAccepted", "-1");
        set(options, "autoUpgradeIntervalH", "0");
        set(options, "crashReportingEnabled", "false");
        set(options, "startBrowser", "false");
        set(options, "setLowPriority", "false"); // both tools at the same scheduling priority
        set(options, "reconnectionIntervalS", "5"); // a dial that raced the peer's start is retried soon

        Element gui = child(root, "gui");
        set(gui, "address", "127.0.0.1:" + d.guiPort);
        set(gui, "apikey", d.apiKey);

        Element self = child(root, "device");
        self.setAttribute("name", d.name);
        Element other = doc.createElement("device");
        other.setAttribute("id", peer.id);
        other.setAttribute("name", peer.name);
        other.setAttribute("compression", "metadata");
        other.setAttribute("introducer", "false");
        other.appendChild(text(doc, "address", "tcp://127.0.0.1:" + peerPort));
        other.appendChild(text(doc, "paused", "false"));
        other.appendChild(text(doc, "autoAcceptFolders", "false"));
        root.insertBefore(other, self.getNextSibling());

        Element folder = doc.createElement("folder");
        folder.setAttribute("id", FOLDER_ID);
        folder.setAttribute("label", FOLDER_ID);
        folder.setAttribute("path", d.folder.toString());
        folder.setAttribute("type", "sendreceive");
        folder.setAttribute("rescanIntervalS", "3600");
        folder.setAttribute("fsWatcherEnabled", "true");
        folder.setAttribute("fsWatcherDelayS", "1");
        folder.setAttribute("ignorePerms", "false");
        folder.setAttribute("autoNormalize", "true");
        folder.appendChild(text(doc, "filesystemType", "basic"));
        for (Device member : List.of(a, b)) {
            Element m = doc.createElement("device");
            m.setAttribute("id", member.id);
            m.setAttribute("introducedBy", "");
            folder.appendChild(m);
        }
        root.insertBefore(folder, root.getFirstChild());

        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.INDENT, "yes");
        transformer.transform(new DOMSource(doc), new StreamResult(file.toFile()));
    }

    private Process serve(Device d) throws IOException {
        List<String> command = List.of(binary, "serve", "--home=" + d.home, "--no-browser", "--no-restart", "--no-upgrade",
                "--gui-address=http://127.0.0.1:" + d.guiPort, "--gui-apikey=" + d.apiKey);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("syncthing-" + d.name.toLowerCase() + ".log").toFile()));
        pb.environment().put("STNODEFAULTFOLDER", "1");
        pb.environment().put("STNOUPGRADE", "1");
        return pb.start();
    }

    @Override
    public void bulkChanged() {
        // A forced rescan of A's folder; not awaited (the benchmark waits for B's disk)
        http.sendAsync(request(a, "/rest/db/scan?folder=" + FOLDER_ID).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                    if (r.statusCode() != 200) {
                        System.err.println("syncthing: rescan answered " + r.statusCode() + " " + r.body());
                    }
                });
    }

    /** B needs nothing and is idle, and A sees B's copy of the folder as complete. */
    @Override
    public void awaitSettled() throws Exception {
        await(() -> {
            JsonNode status = folderStatus(b);
            JsonNode completion = get(a, "/rest/db/completion?folder=" + FOLDER_ID + "&device=" + b.id);
            return status.path("state").asString().equals("idle") && status.path("needTotalItems").asLong(-1) == 0
                    && completion.path("needItems").asLong(-1) == 0 && completion.path("completion").asDouble() >= 100;
        }, "B to be in sync by Syncthing's own account");
    }

    @Override
    public Map<String, Leg> legs() {
        // Both devices dial the other; whichever connection survives, its bytes are counted.
        return Map.of("A to B", new Leg(List.of(toB), List.of(toA)));
    }

    @Override
    public Map<String, ProcessHandle> processes() {
        Map<String, ProcessHandle> out = new LinkedHashMap<>();
        out.put("A", a.process.toHandle());
        out.put("B", b.process.toHandle());
        return out;
    }

    @Override
    public Optional<CommandTimes> timeCommands() {
        return Optional.empty(); // no status or one-shot sync command
    }

    private JsonNode folderStatus(Device d) throws Exception {
        return get(d, "/rest/db/status?folder=" + FOLDER_ID);
    }

    private JsonNode get(Device d, String path) throws Exception {
        HttpResponse<String> r = http.send(request(d, path).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    private static HttpRequest.Builder request(Device d, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.guiPort + path)).header("X-API-Key", d.apiKey)
                .timeout(Duration.ofSeconds(30));
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException e) {
                last = e; // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("syncthing: timed out waiting for " + what + (last != null ? " (" + last.getMessage() + ")" : ""));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new IllegalStateException("no <" + name + "> in syncthing's config.xml");
    }

    private static void set(Element parent, String name, String value) {
        Element e;
        try {
            e = child(parent, name);
        } catch (IllegalStateException missing) {
            e = (Element) parent.appendChild(parent.getOwnerDocument().createElement(name));
        }
        e.setTextContent(value);
    }

    private static Element text(Document doc, String name, String value) {
        Element e = doc.createElement(name);
        e.setTextContent(value);
        return e;
    }

    private static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Override
    public void close() {
        try {
            stop(a.process);
            stop(b.process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (toA != null) {
            toA.close();
        }
        if (toB != null) {
            toB.close();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
