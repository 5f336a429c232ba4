"""webapp/tls_socket.py: a TLS connection one thread reads while another writes (a WebSocket over
`kubeplay serve --token`), over real loopback TLS with the server's own certificate."""
from __future__ import annotations

import hashlib
import socket
import ssl
import threading

import pytest

from webapp.tls import ensure_certificate
from webapp.tls_socket import SerialSSLSocket, server_context


@pytest.fixture
def tls_pair(tmp_path):
    """(server-side connection, client-side connection) over loopback TLS."""
    cert, key = ensure_certificate(str(tmp_path), "127.0.0.1")
    listener = server_context(cert, key).wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True)
    port = listener.getsockname()[1]
    accepted: list = []
    t = threading.Thread(target=lambda: accepted.append(listener.accept()[0]))
    t.start()
    # The client is a SerialSSLSocket too: a test that reads and writes it from two threads at
    # once would otherwise do to the client's OpenSSL connection what this module exists to
    # prevent (a plain SSLSocket used so hung both directions' test once in a full run).
    client_ctx = ssl.create_default_context(cafile=cert)
    client_ctx.sslsocket_class = SerialSSLSocket
    client = client_ctx.wrap_socket(
        socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname="127.0.0.1")
    t.join(20)
    server = accepted[0]
    try:
        yield server, client
    finally:
        for s in (server, client, listener):
            s.close()


def _read_exactly(sock, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(65536, n - got))
        assert chunk, f"connection closed after {got} of {n} bytes"
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def test_the_server_hands_out_serial_connections(tls_pair):
    server, _ = tls_pair
    assert isinstance(server, SerialSSLSocket)


def test_a_writer_is_not_held_up_by_a_reader_waiting_for_the_client(tls_pair):
    server, client = tls_pair
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(server.recv(100)))
    reader.start()                        # blocks: the client sends nothing until it has read all
    message = b"line of output\n" * 64
    for _ in range(200):
        server.sendall(message)
    assert _read_exactly(client, 200 * len(message)) == message * 200
    client.sendall(b"stdin")
    reader.join(20)
    assert received == [b"stdin"]


def test_both_directions_at_once_keep_every_byte(tls_pair):
    server, client = tls_pair
    up = bytes(range(256)) * 16384        # 4 MiB each way, both sides writing while reading
    down = bytes(reversed(range(256))) * 16384
    got: dict[str, bytes] = {}
    threads = [threading.Thread(target=lambda: server.sendall(down)),
               threading.Thread(target=lambda: got.setdefault("server", _read_exactly(server, len(up)))),
               threading.Thread(target=lambda: client.sendall(up)),
               threading.Thread(target=lambda: got.setdefault("client", _read_exactly(client, len(down))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert hashlib.sha256(got["server"]).digest() == hashlib.sha256(up).digest()
    assert hashlib.sha256(got["client"]).digest() == hashlib.sha256(down).digest()


def test_a_read_past_its_timeout_raises_the_socket_timeout(tls_pair):
    server, _ = tls_pair
    server.settimeout(0.2)
    with pytest.raises(socket.timeout, match="The read operation timed out"):
        server.recv(10)
    assert server.gettimeout() == 0.2     # the caller's timeout, not the non-blocking one used inside


def test_a_non_blocking_caller_gets_want_read(tls_pair):
    server, _ = tls_pair
    server.setblocking(False)
    with pytest.raises(ssl.SSLWantReadError):
        server.recv(10)
