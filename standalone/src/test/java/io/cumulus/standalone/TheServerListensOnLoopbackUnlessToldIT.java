package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;

/**
 * A server started without {@code --bind-address} is reachable from this machine only; with it, it
 * listens where it is told.
 */
class TheServerListensOnLoopbackUnlessToldIT {

    @Test
    void aDefaultServerDoesNotAcceptOnTheMachinesOtherAddresses() throws IOException {
        // given a server started with the default settings, and an address of this machine besides loopback
        StandaloneServer server = RunningCumulus.get();
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeTrue(external.isPresent(), "this machine has no address besides loopback");

        // when / then a connection to that address is refused, and one to loopback accepted
        assertThatThrownBy(() -> connect(external.get(), server.httpPort())).isInstanceOf(ConnectException.class);
        connect(InetAddress.getLoopbackAddress(), server.httpPort());
        assertThat(server.baseUrl()).startsWith("http://127.0.0.1:");
    }

    @Test
    void theBindAddressOptionTakesEffect() throws IOException {
        // given an address of this machine besides loopback
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeTrue(external.isPresent(), "this machine has no address besides loopback");
        String address = external.get().getHostAddress();
        PostgresConnection pg = TestServers.freshDatabase();

        // when an API is started bound to it
        try (StandaloneServer server = StandaloneServer.start(StandaloneSettings.from(List.of(
                        "--services=api", "--port=0", "--bind-address=" + address, "--instance-id=bound",
                        "--data-dir=" + RunningCumulus.workDir("bound-"),
                        "--kafka-bootstrap=" + TestServers.kafka().bootstrapServers(),
                        "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                        "--postgres-password=" + pg.password()), Map.of()),
                line -> System.out.println("[bound] " + line))) {

            // then it accepts on that address, not on loopback, and tells local commands where it is
            connect(external.get(), server.httpPort());
            assertThatThrownBy(() -> connect(InetAddress.getLoopbackAddress(), server.httpPort()))
                    .isInstanceOf(ConnectException.class);
            assertThat(server.baseUrl()).isEqualTo("http://" + address + ":" + server.httpPort());
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }
}
