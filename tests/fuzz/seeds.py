#!/usr/bin/env python3
"""seeds.py -- write the hand-made seeds of tests/fuzz/corpus/ (standard
library only; run from the repository root: python3 tests/fuzz/seeds.py).

The seeds copied from vectors/v1 and the manifest and command-line seeds are
made by tests/fuzz/README.md's recipe; this script writes the rest: small
.npy files of every accepted kind and some refused ones, $readmemh and
results-text files, IDX files plain and gzip'd, and checkpoints.  The output
is deterministic (gzip mtime 0), so rerunning it changes nothing."""
import gzip
import os
import struct
import zlib

C = "tests/fuzz/corpus"


def put(harness, name, data):
    d = os.path.join(C, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- .npy -----------------------------------------------------------------
def npy(descr, shape, values, fortran=False, version=(1, 0), pad=True):
    shp = "(" + "".join("%d," % s for s in shape) + ")" if len(shape) != 1 else "(%d,)" % shape[0]
    if len(shape) > 1:
        shp = "(" + ", ".join("%d" % s for s in shape) + ")"
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shp)
    hl = 4 if version[0] == 1 else 6
    if pad:
        total = 6 + 2 + hl + len(hdr) + 1
        hdr += " " * ((-total) % 64)
    hdr += "\n"
    lenf = struct.pack("<H", len(hdr)) if version[0] == 1 else struct.pack("<I", len(hdr))
    fmt = {"<f8": "<d", "<f4": "<f", "<f2": "<e", ">f8": ">d"}[descr]
    body = b"".join(struct.pack(fmt, v) for v in values)
    return b"\x93NUMPY" + bytes(version) + lenf + hdr.encode() + body


put("npy", "f8-vec3.npy", npy("<f8", [3], [1.0, -0.0, 1e308]))
put("npy", "f8-2x3.npy", npy("<f8", [2, 3], [0.5, 5e-324, -2.0, float("inf"), float("nan"), 3.0]))
put("npy", "f4-2x2x2.npy", npy("<f4", [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]))
put("npy", "f4-4d.npy", npy("<f4", [1, 2, 1, 2], [1, -1, 0.25, 1e-45]))
put("npy", "f8-scalar.npy", npy("<f8", [], [42.0]))
put("npy", "f8-empty.npy", npy("<f8", [0], []))
put("npy", "f8-v2.npy", npy("<f8", [2], [1.0, 2.0], version=(2, 0)))
put("npy", "bad-fortran.npy", npy("<f8", [2, 2], [1, 2, 3, 4], fortran=True))
put("npy", "bad-f2.npy", npy("<f2", [2], [1.0, 2.0]))
put("npy", "bad-bigendian.npy", npy(">f8", [2], [1.0, 2.0]))
put("npy", "bad-short.npy", npy("<f8", [4], [1.0, 2.0, 3.0, 4.0])[:-5])
put("npy", "bad-5d.npy", npy("<f8", [1, 1, 1, 1, 1], [1.0]))

# ---- $readmemh (first byte: the format, byte % 3: 0 binary64, 1 binary32,
# 2 bfloat16) -----------------------------------------------------------------
hexhdr = b"// a seed\n// format %s, shape (%d,), row-major, one word per line\n"
put("hex", "b64.hex", b"\x00" + hexhdr % (b"binary64", 3) +
    b"3FF0000000000000\n8000000000000000\n7FF8000000000000\n")
put("hex", "b32.hex", b"\x01" + hexhdr % (b"binary32", 2) + b"3F800000\n00000001\n")
put("hex", "bf16.hex", b"\x02" + hexhdr % (b"bfloat16", 4) + b"3F80\nBF80\n7F80\n0000\n")
put("hex", "blank-lines.hex", b"\x01\n// c\n\n3F800000\n\n// d\n40000000")
put("hex", "bad-width.hex", b"\x00" + b"3FF00000\n")
put("hex", "bad-digit.hex", b"\x02" + b"3G80\n")
put("hex", "crlf.hex", b"\x01" + b"3F800000\r\n40000000\r\n")

# ---- results text -----------------------------------------------------------
put("text", "decimal.txt", b"# results\n1.5\n-0\n1e-310\n\n2.2250738585072014e-308\n")
put("text", "hexfloat.txt", b"0x1.8p+0\n-0x1p-1074\ninf\n-inf\nnan\n")
put("text", "spaces.txt", b"  3.25  \n\t-7\n# end")
put("text", "bad-junk.txt", b"1.0\n2.0 x\n")
put("text", "bad-empty-num.txt", b"1.0\n-\n")
put("text", "bad-huge.txt", b"1e400\n")

# ---- IDX (byte 0: max_items, 0 = all; byte 1: mode, & 3: 0, 2 cep_idx_load,
# 1 cep_idx_load_pair (nx 4, ny 10), 3 cep_idx_first_example; bytes 2..3:
# pair modes split the rest there (little-endian, modulo its length) into the
# images and the labels file) -------------------------------------------------
def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(b):
    return gzip.compress(b, mtime=0)


img = idx([3, 2, 2], bytes(range(12)))
lab = idx([3], bytes([1, 9, 0]))
for name, f in [("images", img), ("labels", lab), ("2d", idx([2, 3], b"abcdef")),
                ("4d", idx([1, 1, 2, 2], b"wxyz"))]:
    put("idx", name + ".idx", b"\x00\x00" + f)
    put("idx", name + ".idx.gz", b"\x00\x00" + gz(f))
put("idx", "max2.idx.gz", b"\x02\x00" + gz(img))
put("idx", "bad-trailing.idx", b"\x00\x00" + lab + b"!")
put("idx", "bad-trunc.idx.gz", b"\x00\x00" + gz(img)[:-9])
put("idx", "bad-type.idx", b"\x00\x00" + bytes([0, 0, 0x0d, 1, 0, 0, 0, 1]) + b"\0\0\0\0")
put("idx", "bad-dim0.idx", b"\x00\x00" + idx([0, 2, 2], b""))
put("idx", "bad-huge.idx", b"\x01\x00" + idx([0x10000, 0x1000, 0x1000], b"\1\2\3\4"))
# regression: a header declaring the 2^31-byte limit over 3 bytes made
# cep_idx_load malloc 2 GB up front (libFuzzer: out-of-memory)
put("idx", "regress-2g-header.idx", b"\x00\x00" + idx([0x80000000], b"abc"))


def pair(mode, mx, a, b):
    return bytes([mx, mode]) + struct.pack("<H", len(a)) + a + b


put("idx", "pair.idx", pair(1, 0, img, lab))
put("idx", "pair.idx.gz", pair(1, 2, gz(img), gz(lab)))
put("idx", "first.idx", pair(3, 0, img, lab))
put("idx", "first-gz.idx", pair(3, 0, gz(img), lab))
put("idx", "bad-pair-count.idx", pair(1, 0, img, idx([2], b"\1\2")))
put("idx", "bad-pair-label.idx", pair(1, 0, img, idx([3], b"\1\12\0")))

# ---- checkpoints (byte 0: odd = the harness recomputes the trailing CRC) -----
def ckpt(model=0, act=1, algo=1, sizes=(2, 3, 2), P=17, epochs=1, theta=None, hist=None):
    N = len(sizes) - 1
    h = struct.pack("<4I", model, act, algo, N)
    h += b"".join(struct.pack("<Q", s) for s in sizes)
    h += struct.pack("<4d", 0.5, 0.5, 0.0, 0.0)                 # eps beta randbeta angle
    h += struct.pack("<6Q", 10, 4, 20, 1, epochs, P)            # T K batch seed epochs P
    h += b"".join(struct.pack("<d", 0.1 / (n + 1)) for n in range(N))
    h += struct.pack("<4Q", 1, 2, 3, 4)
    h += struct.pack("<Q", epochs)
    theta = theta if theta is not None else [i / 16 - 0.5 for i in range(P)]
    hist = hist if hist is not None else [[e + 1, 0.5, 0.25, 0.6, 0.3, 1.5] for e in range(epochs)]
    body = b"CEPCKPT1" + struct.pack("<II", 1, len(h)) + h
    body += b"".join(struct.pack("<d", t) for t in theta)
    body += b"".join(struct.pack("<d", v) for r in hist for v in r)
    return body + struct.pack("<I", zlib.crc32(body))


good = ckpt()
put("checkpoint", "energy-2-3-2.ckpt", b"\x00" + good)
put("checkpoint", "energy-2-3-2-patch.ckpt", b"\x01" + good)
put("checkpoint", "proto-3-layers.ckpt", b"\x01" + ckpt(model=1, act=0, algo=0, sizes=(2, 2, 2, 1),
                                                      P=2 * 2 + 2 + 2 * 2 + 2 + 2 + 1, epochs=0))
put("checkpoint", "bad-crc.ckpt", b"\x00" + good[:-1] + bytes([good[-1] ^ 1]))
put("checkpoint", "bad-nan.ckpt", b"\x01" + ckpt(theta=[float("nan")] * 17))
put("checkpoint", "bad-trunc.ckpt", b"\x01" + good[:-20])
put("checkpoint", "bad-P.ckpt", b"\x01" + ckpt(P=16, theta=[0.0] * 16))
