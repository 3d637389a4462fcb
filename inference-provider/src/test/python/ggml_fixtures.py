#!/usr/bin/env python3
"""Test fixtures made with llama.cpp's own ggml library (the prebuilt libggml-base.so and
libggml-cpu-*.so that node-llama-cpp ships), so Herd's tensor code is checked against ggml itself.

  kernels OUT.gguf            one small matrix per type (F16 BF16 Q8_0 Q4_0 Q4_K Q5_K Q6_K) quantized by
                              ggml_quantize_chunk, ggml's dequantization of it, an input vector, and
                              ggml's CPU vec_dot results (activations converted by its from_float, as
                              in a llama.cpp matmul)
  requant IN.gguf OUT.gguf T  copy IN with every 2-D F32 tensor converted to type T by ggml
                              (metadata bytes copied verbatim)

Library folder: $GGML_LIB_DIR or ${HERD_PEER_DIR:-~/.cache/herd-peer}/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
"""
import ctypes
import os
import struct
import sys

import numpy as np

TYPES = {"F32": 0, "F16": 1, "Q4_0": 2, "Q8_0": 8, "Q4_K": 12, "Q5_K": 13, "Q6_K": 14, "BF16": 30}
BLOCK = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 12: (256, 144), 13: (256, 176), 14: (256, 210), 30: (1, 2)}


def lib_dir():
    d = os.environ.get("GGML_LIB_DIR")
    if d:
        return d
    work = os.environ.get("HERD_PEER_DIR", os.path.expanduser("~/.cache/herd-peer"))
    return os.path.join(work, "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64")


class Ggml:
    def __init__(self):
        d = lib_dir()
        self.base = ctypes.CDLL(os.path.join(d, "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
        self.cpu = ctypes.CDLL(os.path.join(d, "libggml-cpu-haswell.so"))
        self.base.ggml_quantize_chunk.restype = ctypes.c_size_t
        self.base.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                                  ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
        self.cpu.ggml_cpu_init()

        class CpuTraits(ctypes.Structure):
            _fields_ = [("from_float", ctypes.c_void_p), ("vec_dot", ctypes.c_void_p),
                        ("vec_dot_type", ctypes.c_int), ("nrows", ctypes.c_int64)]
        self.cpu.ggml_get_type_traits_cpu.restype = ctypes.POINTER(CpuTraits)
        self.cpu.ggml_get_type_traits_cpu.argtypes = [ctypes.c_int]

    def quantize(self, type_id, x):
        x = np.ascontiguousarray(x, dtype=np.float32)
        rows, cols = x.shape
        blk, size = BLOCK[type_id]
        out = np.zeros(rows * cols // blk * size, dtype=np.uint8)
        self.base.ggml_quantize_chunk(type_id, x.ctypes.data, out.ctypes.data, 0, rows, cols, None)
        return out

    def dequantize(self, type_id, raw, n):
        y = np.zeros(n, dtype=np.float32)
        name = {1: "ggml_fp16_to_fp32_row", 30: "ggml_bf16_to_fp32_row", 2: "dequantize_row_q4_0",
                8: "dequantize_row_q8_0", 12: "dequantize_row_q4_K", 13: "dequantize_row_q5_K",
                14: "dequantize_row_q6_K"}[type_id]
        fn = getattr(self.base, name)
        fn.restype = None
        fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
        fn(raw.ctypes.data, y.ctypes.data, n)
        return y

    def vec_dots(self, type_id, raw, rows, cols, x):
        traits = self.cpu.ggml_get_type_traits_cpu(type_id).contents
        dot_type = traits.vec_dot_type
        blk, size = BLOCK[dot_type] if dot_type in BLOCK else (256, 292)  # Q8_K: d, 256 qs, 16 bsums
        xq = np.zeros(cols // blk * size, dtype=np.uint8)
        x = np.ascontiguousarray(x, dtype=np.float32)
        # the activations are converted by the from_float of vec_dot_type, as ggml's mul_mat does
        from_float = self.cpu.ggml_get_type_traits_cpu(dot_type).contents.from_float
        ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(from_float)(
            x.ctypes.data, xq.ctypes.data, cols)
        vec_dot = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                                   ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)(traits.vec_dot)
        wblk, wsize = BLOCK[type_id]
        row_bytes = cols // wblk * wsize
        out = np.zeros(rows, dtype=np.float32)
        s = ctypes.c_float()
        for r in range(rows):
            vec_dot(cols, ctypes.byref(s), 0, raw.ctypes.data + r * row_bytes, 0, xq.ctypes.data, 0, 1)
            out[r] = s.value
        return out


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def write_gguf(path, kv_bytes, kv_count, tensors, alignment=32):
    """tensors: list of (name, type_id, shape in ggml order, raw bytes)."""
    header = struct.pack("<IIQQ", 0x46554747, 3, len(tensors), kv_count) + kv_bytes
    infos = b""
    offset = 0
    offsets = []
    for name, type_id, shape, data in tensors:
        offsets.append(offset)
        infos += gguf_string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in shape)
        infos += struct.pack("<IQ", type_id, offset)
        offset += (len(data) + alignment - 1) // alignment * alignment
    with open(path + ".tmp", "wb") as f:
        f.write(header + infos)
        f.write(b"\0" * ((-f.tell()) % alignment))
        start = f.tell()
        for (name, type_id, shape, data), off in zip(tensors, offsets):
            f.write(b"\0" * (start + off - f.tell()))
            f.write(data)
    os.replace(path + ".tmp", path)


def kernels(out):
    g = Ggml()
    rng = np.random.default_rng(20261126)
    rows, cols = 4, 512
    x = rng.normal(0, 1, cols).astype(np.float32)
    x[7] = 9.5  # an outlier, as real activations have
    tensors = [("x", 0, [cols], x.tobytes())]
    for name in ["F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"]:
        t = TYPES[name]
        w = rng.normal(0, 0.05, (rows, cols)).astype(np.float32)
        w[1, 100] = -0.9
        if t == 1:
            raw = w.astype(np.float16).view(np.uint8).ravel()
        else:
            raw = g.quantize(t, w)
        deq = g.dequantize(t, raw, rows * cols)
        dots = g.vec_dots(t, raw, rows, cols, x)
        tensors += [("w." + name, t, [cols, rows], raw.tobytes()),
                    ("dequantized." + name, 0, [cols, rows], deq.tobytes()),
                    ("dot." + name, 0, [rows], dots.tobytes())]
    kv = gguf_string("general.description") + struct.pack("<I", 8) + gguf_string(
        "ggml kernel fixtures made by inference-provider/src/test/python/ggml_fixtures.py")
    write_gguf(out, kv, 1, tensors)


def read_header(path):
    """Returns (metadata bytes, metadata count, alignment, tensor infos, data start, file bytes)."""
    data = open(path, "rb").read()
    magic, version, n_tensors, n_kv = struct.unpack_from("<IIQQ", data, 0)
    assert magic == 0x46554747 and version in (2, 3)
    pos = 24
    alignment = 32
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip_value(pos, t):
        if t in sizes:
            return pos + sizes[t]
        if t == 8:
            (n,) = struct.unpack_from("<Q", data, pos)
            return pos + 8 + n
        assert t == 9
        et, n = struct.unpack_from("<IQ", data, pos)
        pos += 12
        for _ in range(n):
            pos = skip_value(pos, et)
        return pos

    for _ in range(n_kv):
        (n,) = struct.unpack_from("<Q", data, pos)
        key = data[pos + 8:pos + 8 + n].decode()
        pos += 8 + n
        (t,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if key == "general.alignment":
            (alignment,) = struct.unpack_from("<I", data, pos)
        pos = skip_value(pos, t)
    kv_bytes = data[24:pos]
    infos = []
    for _ in range(n_tensors):
        (n,) = struct.unpack_from("<Q", data, pos)
        name = data[pos + 8:pos + 8 + n].decode()
        pos += 8 + n
        (nd,) = struct.unpack_from("<I", data, pos)
        shape = list(struct.unpack_from("<%dQ" % nd, data, pos + 4))
        pos += 4 + 8 * nd
        t, off = struct.unpack_from("<IQ", data, pos)
        pos += 12
        infos.append((name, t, shape, off))
    start = (pos + alignment - 1) // alignment * alignment
    return kv_bytes, n_kv, alignment, infos, start, data


def requant(src, dst, type_name):
    g = Ggml()
    target = TYPES[type_name]
    kv_bytes, n_kv, alignment, infos, start, data = read_header(src)
    tensors = []
    for name, t, shape, off in infos:
        blk, size = BLOCK[t]
        n = int(np.prod(shape))
        raw = data[start + off:start + off + n // blk * size]
        if t == 0 and len(shape) == 2 and target != 0:
            w = np.frombuffer(raw, dtype=np.float32).reshape(shape[1], shape[0])
            if target == 1:
                q = w.astype(np.float16).view(np.uint8).ravel()
            else:
                q = g.quantize(target, w)
            tensors.append((name, target, shape, q.tobytes()))
        else:
            tensors.append((name, t, shape, raw))
    write_gguf(dst, kv_bytes, n_kv, tensors, alignment)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "kernels":
        kernels(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "requant":
        requant(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
