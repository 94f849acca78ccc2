"""The wire between the trusted grader and the sandbox worker, and what may travel on it.

Two private pipes that only the worker holds inside the sandbox (bubblewrap's pid 1 closes
every descriptor but stdio; the worker is non-dumpable, so no other process in the sandbox
can open its descriptors through /proc or ptrace it). Messages are frames:

    4-byte big-endian length | 32-byte HMAC-SHA256 tag | JSON body with a sequence number

keyed with a fresh random key per submission that only the grader and the worker know.
The grader treats every frame as untrusted data all the same: a frame that is too large,
badly tagged, out of sequence, not JSON, nested too deeply or of the wrong shape makes the
whole result "unreadable" for that one submission (`ChannelError`), never an exception
that stops the cohort. Outputs are rebuilt field by field (`clean_output`): only known
output types, string fields of capped length, and a few inert MIME types survive, so a
graded notebook can hold no script for the trainer's browser.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from typing import Any

TAG_BYTES = 32
HEADER = struct.Struct(">I")
#: MIME types kept from a kernel's outputs. Anything that a browser would run or render as
#: markup (HTML, SVG, JavaScript, Markdown, LaTeX) is dropped: the text/plain form stays.
KEPT_MIME = (
    "text/plain",
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/vnd.jupyter.widget-view+json",
)
MAX_ENAME = 120
MAX_EVALUE = 2000
MAX_TRACEBACK_LINES = 60
MAX_LINE = 2000


class ChannelError(Exception):
    """What came over the channel cannot be trusted to be the worker's result."""


def new_key() -> bytes:
    return os.urandom(32)


def _tag(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def encode(key: bytes, seq: int, message: dict[str, Any]) -> bytes:
    body = json.dumps({**message, "seq": seq}, ensure_ascii=True).encode()
    payload = _tag(key, body) + body
    return HEADER.pack(len(payload)) + payload


def decode(key: bytes, expected_seq: int, payload: bytes) -> dict[str, Any]:
    """The message in one frame's payload; ChannelError for anything not sent by the worker."""
    if len(payload) < TAG_BYTES:
        raise ChannelError("frame too short")
    tag, body = payload[:TAG_BYTES], payload[TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(key, body)):
        raise ChannelError("frame not signed by the worker")
    try:
        message = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ChannelError("frame is not JSON") from exc
    if not isinstance(message, dict) or message.get("seq") != expected_seq:
        raise ChannelError("frame out of sequence")
    if not isinstance(message.get("type"), str):
        raise ChannelError("frame without a type")
    return message


class FrameReader:
    """Reassembles frames from a non-blocking byte stream, refusing oversized ones."""

    def __init__(self, key: bytes, max_frame: int):
        self.key = key
        self.max_frame = max_frame
        self.buffer = bytearray()
        self.seq = 0

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self.buffer += data
        messages = []
        while len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            if size > self.max_frame:
                raise ChannelError(f"frame of {size} bytes is larger than allowed")
            if len(self.buffer) < HEADER.size + size:
                break
            payload = bytes(self.buffer[HEADER.size : HEADER.size + size])
            del self.buffer[: HEADER.size + size]
            messages.append(decode(self.key, self.seq, payload))
            self.seq += 1
        return messages


def read_frame(stream: Any, key: bytes, expected_seq: int, max_frame: int) -> dict[str, Any]:
    """One frame from a blocking binary stream (the worker's side)."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise ChannelError("the grader closed the channel")
    (size,) = HEADER.unpack(header)
    if size > max_frame:
        raise ChannelError("frame too large")
    payload = stream.read(size)
    if len(payload) < size:
        raise ChannelError("the grader closed the channel")
    return decode(key, expected_seq, payload)


def _text(value: Any, limit: int) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "".join(value)
    if not isinstance(value, str):
        raise ChannelError("a text field is not text")
    # lone surrogates (valid in JSON, not in UTF-8) would break writing the notebook later
    return value[:limit].encode("utf-8", "replace").decode("utf-8")


def _widget(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or len(value) > 8:
        raise ChannelError("widget output of the wrong shape")
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(key, str) and isinstance(item, str | int | float | bool):
            kept[key[:100]] = item[:200] if isinstance(item, str) else item
    return kept


def clean_output(output: Any, budget: int) -> dict[str, Any]:
    """A fresh output holding only the fields nbformat and the grader use, capped."""
    if not isinstance(output, dict):
        raise ChannelError("an output is not an object")
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name")
        if name not in ("stdout", "stderr"):
            raise ChannelError("a stream output of an unknown stream")
        return {"output_type": "stream", "name": name, "text": _text(output.get("text"), budget)}
    if kind == "error":
        traceback = output.get("traceback", [])
        if not isinstance(traceback, list):
            raise ChannelError("a traceback is not a list")
        return {
            "output_type": "error",
            "ename": _text(output.get("ename", ""), MAX_ENAME),
            "evalue": _text(output.get("evalue", ""), MAX_EVALUE),
            "traceback": [_text(line, MAX_LINE) for line in traceback[:MAX_TRACEBACK_LINES]],
        }
    if kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        if not isinstance(data, dict):
            raise ChannelError("output data is not an object")
        kept: dict[str, Any] = {}
        for mime in KEPT_MIME:
            if mime not in data:
                continue
            value = data[mime]
            kept[mime] = _widget(value) if mime.endswith("+json") else _text(value, budget)
        cleaned: dict[str, Any] = {"output_type": kind, "data": kept, "metadata": {}}
        if kind == "execute_result":
            count = output.get("execution_count")
            cleaned["execution_count"] = count if type(count) is int else None
        return cleaned
    raise ChannelError("an output of an unknown type")
