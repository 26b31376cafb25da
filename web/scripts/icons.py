"""Draws the app icons (a white field-post on blue) as PNGs with no image library.

Run once; the output is committed: python3 scripts/icons.py
"""
import struct
import zlib


def png(size: int, path: str) -> None:
    blue = (11, 92, 173)
    white = (255, 255, 255)
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            u, v = x / size, y / size
            # a pin: a circle on a post, centred
            cx, cy, r = 0.5, 0.38, 0.2
            inside_ring = (u - cx) ** 2 + (v - cy) ** 2 <= r * r
            hole = (u - cx) ** 2 + (v - cy) ** 2 <= (r * 0.45) ** 2
            post = abs(u - cx) <= 0.06 and cy <= v <= 0.82
            colour = white if (inside_ring and not hole) or post else blue
            row.extend(colour)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


png(192, "public/icons/icon-192.png")
png(512, "public/icons/icon-512.png")
with open("public/icons/icon.svg", "w") as f:
    f.write(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        '<rect width="100" height="100" fill="#0b5cad"/>'
        '<circle cx="50" cy="38" r="14.5" fill="none" stroke="#fff" stroke-width="11"/>'
        '<rect x="44" y="38" width="12" height="44" fill="#fff"/></svg>\n'
    )
