"""SPDY/3.1 framing (webapp/api/spdy.py): frames built by hand from the spec's layout, the zlib
dictionary, and the exact bytes kubectl 1.32 wrote when it opened a port-forward connection (Go's
spdystream framer and zlib: an implementation independent of ours)."""
from __future__ import annotations

import struct
import zlib

import pytest

from webapp.api import spdy

# kubectl 1.32 (`port-forward pod/web 0:80`, then `curl http://127.0.0.1:43747/`), as its -v=8 log
# showed the tunnel's writes: SYN_STREAM 1 (the error stream), DATA 1 FIN (it writes nothing
# there), SYN_STREAM 3 (the data stream: its header block is 14 bytes because it continues the
# zlib stream of the first), DATA 3 (curl's request), DATA 3 FIN, then a PING.
KUBECTL_132 = bytes.fromhex(
    "800300010000003D0000000100000000000078F9E3C6A7C202253A703A2B294A4DCC851625ACA9A0808614CB45A024CC"
    "6461C0C0C0C0590489C44C50E2663400000000FFFF0000000101000000800300010000001800000003000000000000C2"
    "AA15540A2512D209000000FFFF000000030000004F474554202F20485454502F312E310D0A486F73743A203132372E30"
    "2E302E313A34333734370D0A557365722D4167656E743A206375726C2F372E38382E310D0A4163636570743A202A2F2A"
    "0D0A0D0A0000000301000000" "800300060000000400000001")


def test_dictionary_is_the_specs():
    # Its Adler-32 is the dictionary id a SPDY/3 zlib stream names (kubectl's starts 78 F9 E3C6A7C2).
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2
    assert KUBECTL_132[18:24] == bytes.fromhex("78F9E3C6A7C2")


def test_kubectl_frames_decode_with_one_zlib_context():
    frames = spdy.Reader().feed(KUBECTL_132)
    kinds = [(f.control, f.type if f.control else None, f.stream_id, f.fin) for f in frames]
    assert kinds == [(True, spdy.SYN_STREAM, 1, False), (False, None, 1, True), (True, spdy.SYN_STREAM, 3, False),
                     (False, None, 3, False), (False, None, 3, True), (True, spdy.PING, 0, False)]
    assert frames[0].headers == {"port": ["80"], "requestid": ["0"], "streamtype": ["error"]}
    assert frames[2].headers == {"port": ["80"], "requestid": ["0"], "streamtype": ["data"]}
    assert frames[3].data.startswith(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:43747\r\n")
    assert frames[5].ping_id == 1


def test_frames_arrive_in_any_pieces():
    # WebSocket messages (one per Go Write) and socket reads need not line up with frames.
    reader = spdy.Reader()
    frames = []
    for i in range(len(KUBECTL_132)):
        frames += reader.feed(KUBECTL_132[i:i + 1])
    assert [f.stream_id for f in frames] == [1, 1, 3, 3, 3, 0]
    assert frames[2].header("streamType") == "data"


def test_a_fresh_decompressor_cannot_read_the_second_block():
    # The zlib context spans the connection: the data stream's block alone is not a zlib stream.
    second = KUBECTL_132[KUBECTL_132.index(bytes.fromhex("C2AA1554")):][:14]
    with pytest.raises(spdy.ProtocolError):
        spdy.HeaderDecompressor().decompress(second)


def test_control_frames_built_by_hand_from_the_spec():
    w = spdy.Writer()
    # PING: 1|version 3|type 6, flags 0|length 4, id.
    ping = struct.pack(">HHII", 0x8003, 6, 4, 7)
    assert w.ping(7) == ping
    assert spdy.Reader().feed(ping)[0].ping_id == 7
    # RST_STREAM: stream id, status (5 = CANCEL).
    rst = struct.pack(">HHIII", 0x8003, 3, 8, 5, spdy.CANCEL)
    assert w.rst_stream(5, spdy.CANCEL) == rst
    f = spdy.Reader().feed(rst)[0]
    assert (f.type, f.stream_id, f.status) == (spdy.RST_STREAM, 5, spdy.CANCEL)
    # GOAWAY: last good stream id, status.
    goaway = struct.pack(">HHIII", 0x8003, 7, 8, 9, 0)
    assert w.goaway(9) == goaway
    f = spdy.Reader().feed(goaway)[0]
    assert (f.type, f.last_good_id, f.status) == (spdy.GOAWAY, 9, 0)
    # DATA: 0|stream id, flags (FIN)|length, data.
    data = struct.pack(">II", 3, (1 << 24) | 2) + b"hi"
    assert w.data(3, b"hi", fin=True) == data
    f = spdy.Reader().feed(data)[0]
    assert (f.control, f.stream_id, f.fin, f.data) == (False, 3, True, b"hi")


def test_header_blocks_round_trip_across_frames():
    w, r = spdy.Writer(), spdy.Reader()
    wire = (w.syn_stream(1, {"streamType": "error", "port": "8080", "requestID": "4"})
            + w.syn_reply(1) + w.syn_stream(3, {"streamType": "data", "port": "8080", "requestID": "4"}, priority=2)
            + w.syn_reply(3, {"x-multi": ["a", "b"]}, fin=True))
    frames = r.feed(wire)
    assert [f.type for f in frames] == [spdy.SYN_STREAM, spdy.SYN_REPLY, spdy.SYN_STREAM, spdy.SYN_REPLY]
    assert frames[0].headers == {"streamtype": ["error"], "port": ["8080"], "requestid": ["4"]}
    assert frames[1].headers == {}
    assert (frames[2].priority, frames[2].header("requestID")) == (2, "4")
    assert frames[3].headers == {"x-multi": ["a", "b"]} and frames[3].fin
    # Our stream names the dictionary as the spec requires (FDICT set, its Adler-32 after the header).
    first = spdy.Writer().syn_reply(1)[12:]
    assert first[1] & 0x20 and first[2:6] == bytes.fromhex("E3C6A7C2")


def test_not_spdy_3_is_a_protocol_error():
    with pytest.raises(spdy.ProtocolError):
        spdy.Reader().feed(struct.pack(">HHII", 0x8002, 6, 4, 1))      # SPDY/2
    with pytest.raises(spdy.ProtocolError):
        spdy.Reader().feed(struct.pack(">HHI", 0x8003, 6, 2) + b"\0\0")   # a PING too short
