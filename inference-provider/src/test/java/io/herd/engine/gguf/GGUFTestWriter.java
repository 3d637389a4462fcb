package io.herd.engine.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes GGUF files byte by byte from the format description, for tests: lets a test build valid
 * files and deliberately broken ones.
 */
public final class GGUFTestWriter {

    public static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
            BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    private record Entry(String key, int type, Object value) {
    }

    private record Tensor(String name, int typeId, long[] shape, byte[] data, Long offsetOverride) {
    }

    private final List<Entry> metadata = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int version = 3;
    private int alignment = 32;

    public GGUFTestWriter version(int version) {
        this.version = version;
        return this;
    }

    /** Alignment used for layout; add {@code general.alignment} metadata yourself to declare it. */
    public GGUFTestWriter alignment(int alignment) {
        this.alignment = alignment;
        return this;
    }

    /** {@code value}: Number/Boolean/String for scalars; for ARRAY a {@link TypedArray}. */
    public GGUFTestWriter put(String key, int type, Object value) {
        metadata.add(new Entry(key, type, value));
        return this;
    }

    public GGUFTestWriter putString(String key, String value) {
        return put(key, STRING, value);
    }

    public GGUFTestWriter putUInt32(String key, long value) {
        return put(key, UINT32, value);
    }

    public GGUFTestWriter putFloat32(String key, float value) {
        return put(key, FLOAT32, value);
    }

    public GGUFTestWriter putArray(String key, int elementType, List<?> values) {
        return put(key, ARRAY, new TypedArray(elementType, values));
    }

    public record TypedArray(int elementType, List<?> values) {
    }

    public GGUFTestWriter tensor(String name, GGMLType type, long[] shape, byte[] data) {
        tensors.add(new Tensor(name, type.id(), shape, data, null));
        return this;
    }

    /** A tensor with a raw type id and an explicit (possibly bogus) relative offset. */
    public GGUFTestWriter rawTensor(String name, int typeId, long[] shape, byte[] data, Long offsetOverride) {
        tensors.add(new Tensor(name, typeId, shape, data, offsetOverride));
        return this;
    }

    public GGUFTestWriter f32Tensor(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return tensor(name, GGMLType.F32, shape, b.array());
    }

    public byte[] toBytes() {
        Out out = new Out();
        out.i32(GGUFFile.MAGIC);
        out.i32(version);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Entry e : metadata) {
            out.string(e.key);
            out.i32(e.type);
            out.value(e.type, e.value);
        }
        long[] offsets = new long[tensors.size()];
        long next = 0;
        for (int i = 0; i < tensors.size(); i++) {
            offsets[i] = next;
            next = pad(next + tensors.get(i).data.length);
        }
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            out.string(t.name);
            out.i32(t.shape.length);
            for (long d : t.shape) {
                out.i64(d);
            }
            out.i32(t.typeId);
            out.i64(t.offsetOverride != null ? t.offsetOverride : offsets[i]);
        }
        if (!tensors.isEmpty()) {
            while (out.size() % alignment != 0) {
                out.write(0);
            }
            long start = out.size();
            for (int i = 0; i < tensors.size(); i++) {
                while (out.size() < start + offsets[i]) {
                    out.write(0);
                }
                out.write(tensors.get(i).data, 0, tensors.get(i).data.length);
            }
        }
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private long pad(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static final class Out extends ByteArrayOutputStream {
        void i32(int v) {
            for (int i = 0; i < 4; i++) {
                write(v >>> (8 * i));
            }
        }

        void i64(long v) {
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (8 * i)));
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void value(int type, Object v) {
            switch (type) {
                case UINT8, INT8 -> write(((Number) v).intValue());
                case UINT16, INT16 -> {
                    int x = ((Number) v).intValue();
                    write(x);
                    write(x >>> 8);
                }
                case UINT32, INT32 -> i32(((Number) v).intValue());
                case FLOAT32 -> i32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case BOOL -> write((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case UINT64, INT64 -> i64(((Number) v).longValue());
                case FLOAT64 -> i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case ARRAY -> {
                    TypedArray a = (TypedArray) v;
                    i32(a.elementType);
                    i64(a.values.size());
                    for (Object element : a.values) {
                        value(a.elementType, element);
                    }
                }
                default -> throw new IllegalArgumentException("type " + type);
            }
        }
    }
}
