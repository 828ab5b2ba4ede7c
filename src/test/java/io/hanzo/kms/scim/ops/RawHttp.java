package io.hanzo.kms.scim.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange on a fresh connection, closed after the answer. A test can then tell exactly
 * what happened to a request: refused before it was sent, answered, or sent and cut off.
 */
final class RawHttp {
    enum Outcome { ANSWERED, REFUSED, CUT_OFF }

    record Result(Outcome outcome, int status, String body) {
    }

    private RawHttp() {
    }

    static Result send(int port, String method, String path, String token, String body) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            } catch (ConnectException e) {
                return new Result(Outcome.REFUSED, 0, e.getMessage());
            }
            socket.setSoTimeout(60_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder()
                    .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: close\r\n")
                    .append("Content-Type: application/scim+json\r\n")
                    .append("Content-Length: ").append(content.length).append("\r\n");
            if (token != null) {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                out.write(content);
                out.flush();
            } catch (IOException e) {
                // Not written whole: the server cannot have acted on it.
                return new Result(Outcome.REFUSED, 0, e.getMessage());
            }
            byte[] answer = readAll(socket.getInputStream());
            String text = new String(answer, StandardCharsets.UTF_8);
            if (!text.startsWith("HTTP/1.1 ")) {
                return new Result(Outcome.CUT_OFF, 0, text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            String headers = split < 0 ? text : text.substring(0, split).toLowerCase(java.util.Locale.ROOT);
            String rest = split < 0 ? "" : text.substring(split + 4);
            return new Result(Outcome.ANSWERED, status,
                    headers.contains("transfer-encoding: chunked") ? dechunk(rest) : rest);
        } catch (IOException e) {
            return new Result(Outcome.CUT_OFF, 0, e.toString());
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the bodies here are ASCII JSON apart from test names, which are ASCII too.
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        try {
            while ((n = in.read(chunk)) >= 0) {
                buf.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // A reset after a complete answer still leaves the answer; without one the caller sees no status line.
            if (buf.size() == 0) {
                throw e;
            }
        }
        return buf.toByteArray();
    }
}
