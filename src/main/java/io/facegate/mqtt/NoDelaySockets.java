package io.facegate.mqtt;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * Socket factories that turn Nagle's algorithm off. MQTT sends small packets and waits for small answers (PUBLISH,
 * PUBACK); with Nagle and delayed ACKs each round trip can stall ~40 ms, which an unlock command would feel.
 */
final class NoDelaySockets {
    private NoDelaySockets() {
    }

    public static SocketFactory plain() {
        return new SocketFactory() {
            private final SocketFactory d = SocketFactory.getDefault();

            @Override
            public Socket createSocket() throws IOException {
                return noDelay(d.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return noDelay(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress la, int lp) throws IOException {
                return noDelay(d.createSocket(host, port, la, lp));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return noDelay(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress a, int port, InetAddress la, int lp) throws IOException {
                return noDelay(d.createSocket(a, port, la, lp));
            }
        };
    }

    public static SSLSocketFactory tls(SSLSocketFactory d) {
        return new SSLSocketFactory() {
            @Override
            public String[] getDefaultCipherSuites() {
                return d.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return d.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                return noDelay(d.createSocket(noDelay(s), host, port, autoClose));
            }

            @Override
            public Socket createSocket() throws IOException {
                return noDelay(d.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return noDelay(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress la, int lp) throws IOException {
                return noDelay(d.createSocket(host, port, la, lp));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return noDelay(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress a, int port, InetAddress la, int lp) throws IOException {
                return noDelay(d.createSocket(a, port, la, lp));
            }
        };
    }

    private static Socket noDelay(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
    }
}
