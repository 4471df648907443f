"""One HTTP request written byte by byte, for what aiohttp's client will not send (headers that
are not UTF-8)."""

from __future__ import annotations

import asyncio


async def raw_post(host: str, port: int, path: str, header: bytes, body: bytes) -> int:
    """POST `body` to `path` with one extra raw `header` line; the status code answered."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])
