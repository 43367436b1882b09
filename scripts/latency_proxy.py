"""A forward HTTP proxy that holds each request, and each answer, for DELAY_MS: between a client
(Chromium with --proxy-server, curl with -x) and the local system it makes a network whose round
trip is 2 x DELAY_MS, as between a photographer and AWS. For the studio's upload benchmark, so
the page's parallel uploads and a sequential curl loop cross the same network.

Usage: python latency_proxy.py PORT DELAY_MS

Plain HTTP/1.1 with absolute-form targets (what a client sends a proxy), keep-alive towards the
client, one upstream connection per request (the emulator closes each). Bodies are read whole
(Content-Length), then passed on: a store-and-forward hop, the same for every client.
"""

import asyncio
import sys
from urllib.parse import urlsplit


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def is_chunked(head: bytes) -> bool:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            return True
    return False


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        body += size_line + chunk
        if size == 0:
            return body


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, target, version = lines[0].split(b" ", 2)
            url = urlsplit(target.decode())
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            kept = [
                line for line in lines[1:-2]
                if line and not line.lower().startswith((b"proxy-", b"connection:", b"keep-alive:"))
            ]
            body = await reader.readexactly(content_length(head))
            await asyncio.sleep(delay)
            try:
                up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
            except OSError:
                # Not the system under test (the browser's own background requests).
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                continue
            up_writer.write(
                method + b" " + path.encode() + b" " + version + b"\r\n"
                + b"\r\n".join(kept + [b"Connection: close"]) + b"\r\n\r\n" + body
            )
            await up_writer.drain()
            answer_head = await up_reader.readuntil(b"\r\n\r\n")
            if method == b"HEAD" or answer_head.split(b" ", 2)[1] in (b"204", b"304"):
                answer_body = b""
            elif is_chunked(answer_head):
                answer_body = await read_chunked(up_reader)
            elif any(l.lower().startswith(b"content-length:") for l in answer_head.split(b"\r\n")):
                answer_body = await up_reader.readexactly(content_length(answer_head))
            else:
                answer_body = await up_reader.read()
            up_writer.close()
            answer_lines = [
                line for line in answer_head.split(b"\r\n")[:-2]
                if not line.lower().startswith((b"connection:", b"keep-alive:"))
            ]
            await asyncio.sleep(delay)
            writer.write(b"\r\n".join(answer_lines + [b"Connection: keep-alive"]) + b"\r\n\r\n" + answer_body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int, delay_ms: float):
    server = await asyncio.start_server(
        lambda r, w: serve(r, w, delay_ms / 1000), "127.0.0.1", port, limit=1 << 20
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
