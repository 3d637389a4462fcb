package io.herd.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A GGUF (v2/v3) file: metadata parsed eagerly, tensor data memory-mapped and handed out as
 * {@link MemorySegment} slices that stay valid until {@link #close()}.
 *
 * <p>Every length, count and offset read from the file is checked against the file size before it
 * is used, so a corrupt file ends in a {@link GGUFFormatException}, never in an out-of-bounds access
 * or a huge allocation.
 */
public final class GGUFFile implements AutoCloseable {

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMENSIONS = 4; // GGML_MAX_DIMS

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GGUFTensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GGUFFile(Path path, FileChannel channel, Arena arena, MemorySegment file) throws GGUFFormatException {
        this.path = path;
        this.channel = channel;
        this.arena = arena;
        this.file = file;
        Reader in = new Reader();
        if (file.byteSize() < 8) {
            throw error("file too small to be GGUF (" + file.byteSize() + " bytes)");
        }
        int magic = in.int32("magic");
        if (magic != MAGIC) {
            throw error(String.format("not a GGUF file (magic 0x%08x, expected 0x%08x \"GGUF\")", magic, MAGIC));
        }
        this.version = in.int32("version");
        if (version == 1) {
            throw error("GGUF version 1 is not supported (only versions 2 and 3); re-convert the model");
        }
        if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
            throw error("big-endian GGUF files are not supported");
        }
        if (version != 2 && version != 3) {
            throw error("unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
        }
        long tensorCount = in.count("tensor count", 8 + 4 + 8 + 8);
        long metadataCount = in.count("metadata count", 8 + 4 + 1);

        Map<String, Object> kv = new LinkedHashMap<>();
        for (long i = 0; i < metadataCount; i++) {
            String key = in.string("metadata key #" + i);
            int type = in.int32("type of metadata " + key);
            Object value = in.value(type, key, 0);
            if (kv.putIfAbsent(key, value) != null) {
                throw error("duplicate metadata key '" + key + "'");
            }
        }
        this.metadata = Collections.unmodifiableMap(kv);

        Object alignmentValue = kv.get("general.alignment");
        if (alignmentValue == null) {
            alignment = DEFAULT_ALIGNMENT;
        } else {
            long a = alignmentValue instanceof Number n ? n.longValue() : -1;
            if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
                throw error("general.alignment must be a power of two, got " + alignmentValue);
            }
            alignment = (int) a;
        }

        record RawTensor(String name, long[] shape, GGMLType type, long relativeOffset) {
        }
        RawTensor[] raw = new RawTensor[(int) tensorCount];
        for (int i = 0; i < tensorCount; i++) {
            String name = in.string("name of tensor #" + i);
            int dims = in.int32("dimension count of tensor " + name);
            if (dims < 1 || dims > MAX_DIMENSIONS) {
                throw error("tensor '" + name + "': dimension count " + Integer.toUnsignedString(dims) + " outside 1.." + MAX_DIMENSIONS);
            }
            long[] shape = new long[dims];
            for (int d = 0; d < dims; d++) {
                shape[d] = in.int64("dimension " + d + " of tensor " + name);
                if (shape[d] < 0) {
                    throw error("tensor '" + name + "': dimension " + d + " is " + Long.toUnsignedString(shape[d]));
                }
            }
            int typeId = in.int32("type of tensor " + name);
            GGMLType type = GGMLType.byId(Integer.toUnsignedLong(typeId)).orElseThrow(
                    () -> error("tensor '" + name + "': unsupported or unknown ggml type id " + Integer.toUnsignedString(typeId)));
            long offset = in.int64("offset of tensor " + name);
            raw[i] = new RawTensor(name, shape, type, offset);
        }
        long afterHeader = in.position;
        this.dataOffset = align(afterHeader, alignment);

        Map<String, GGUFTensorInfo> infos = new LinkedHashMap<>();
        for (RawTensor t : raw) {
            long elements = 1;
            try {
                for (long d : t.shape) {
                    elements = Math.multiplyExact(elements, d);
                }
            } catch (ArithmeticException e) {
                throw error("tensor '" + t.name + "': element count overflows");
            }
            if (t.shape[0] % t.type.blockSize() != 0) {
                throw error("tensor '" + t.name + "': shape mismatch, row length " + t.shape[0]
                        + " is not a multiple of the " + t.type + " block size " + t.type.blockSize());
            }
            long bytes = t.type.byteSize(elements);
            if (t.relativeOffset < 0 || t.relativeOffset % alignment != 0) {
                throw error("tensor '" + t.name + "': data offset " + Long.toUnsignedString(t.relativeOffset)
                        + " is not a multiple of the alignment " + alignment);
            }
            long available = file.byteSize() - dataOffset;
            if (t.relativeOffset > available || bytes > available - t.relativeOffset) {
                throw error("tensor '" + t.name + "': data (" + bytes + " bytes at offset " + t.relativeOffset
                        + " of the data section) extends beyond the end of the file (file truncated?)");
            }
            if (infos.putIfAbsent(t.name, new GGUFTensorInfo(t.name, t.type, t.shape, dataOffset + t.relativeOffset, elements, bytes)) != null) {
                throw error("duplicate tensor '" + t.name + "'");
            }
        }
        this.tensors = Collections.unmodifiableMap(infos);
    }

    /** Opens and maps {@code path}; the file stays mapped until {@link #close()}. */
    public static GGUFFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GGUFFile(path, channel, arena, mapped);
        } catch (IOException | RuntimeException e) {
            arena.close();
            channel.close();
            throw e;
        }
    }

    /** Whether {@code path} starts with the GGUF magic. */
    public static boolean isGGUF(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            var buffer = java.nio.ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading until 4 bytes or EOF
            }
            return buffer.position() == 4 && buffer.getInt(0) == MAGIC;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** File offset where the tensor data section starts. */
    public long dataOffset() {
        return dataOffset;
    }

    /** All metadata, in file order. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String string(String key) throws GGUFFormatException {
        return required(key, String.class, "a string");
    }

    public Optional<String> optionalString(String key) throws GGUFFormatException {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    /** Any integer value that fits in an int. */
    public int integer(String key) throws GGUFFormatException {
        Object value = present(key);
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Long l && l == (int) (long) l) {
            return (int) (long) l;
        }
        throw wrongType(key, value, "an integer that fits in 32 bits");
    }

    public OptionalInt optionalInteger(String key) throws GGUFFormatException {
        return has(key) ? OptionalInt.of(integer(key)) : OptionalInt.empty();
    }

    /** Any integer value (UINT64 values above Long.MAX_VALUE come back negative). */
    public long longValue(String key) throws GGUFFormatException {
        Object value = present(key);
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw wrongType(key, value, "an integer");
    }

    public float floatValue(String key) throws GGUFFormatException {
        Object value = present(key);
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).floatValue();
        }
        throw wrongType(key, value, "a float");
    }

    public Optional<Float> optionalFloat(String key) throws GGUFFormatException {
        return has(key) ? Optional.of(floatValue(key)) : Optional.empty();
    }

    public boolean bool(String key) throws GGUFFormatException {
        return required(key, Boolean.class, "a bool");
    }

    public Optional<Boolean> optionalBool(String key) throws GGUFFormatException {
        return has(key) ? Optional.of(bool(key)) : Optional.empty();
    }

    public String[] stringArray(String key) throws GGUFFormatException {
        return required(key, String[].class, "an array of strings").clone();
    }

    /** Integer arrays whose elements all fit in an int. */
    public int[] intArray(String key) throws GGUFFormatException {
        Object value = present(key);
        if (value instanceof int[] ints) {
            return ints.clone();
        }
        if (value instanceof long[] longs) {
            int[] ints = new int[longs.length];
            for (int i = 0; i < longs.length; i++) {
                if (longs[i] != (int) longs[i]) {
                    throw error("metadata '" + key + "': element " + i + " (" + longs[i] + ") does not fit in 32 bits");
                }
                ints[i] = (int) longs[i];
            }
            return ints;
        }
        throw wrongType(key, value, "an array of integers");
    }

    public float[] floatArray(String key) throws GGUFFormatException {
        Object value = present(key);
        if (value instanceof float[] floats) {
            return floats.clone();
        }
        if (value instanceof double[] doubles) {
            float[] floats = new float[doubles.length];
            for (int i = 0; i < doubles.length; i++) {
                floats[i] = (float) doubles[i];
            }
            return floats;
        }
        throw wrongType(key, value, "an array of floats");
    }

    /** Tensor descriptions by name, in file order. */
    public Map<String, GGUFTensorInfo> tensors() {
        return tensors;
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public GGUFTensorInfo tensor(String name) throws GGUFFormatException {
        GGUFTensorInfo info = tensors.get(name);
        if (info == null) {
            throw error("missing tensor '" + name + "'");
        }
        return info;
    }

    /** The mapped bytes of a tensor; valid until {@link #close()}. */
    public MemorySegment tensorData(String name) throws GGUFFormatException {
        GGUFTensorInfo info = tensor(name);
        return file.asSlice(info.offset(), info.byteSize());
    }

    /**
     * Drops the resident pages of a tensor's mapped bytes once it has been repacked and no longer reads them, so
     * the weights are not resident twice. Reading the tensor's data again later is still valid.
     */
    public void releasePages(String name) throws GGUFFormatException {
        MappedPages.release(tensorData(name));
    }

    /** A {@link GGUFFormatException} naming this file. */
    public GGUFFormatException error(String reason) {
        return new GGUFFormatException(path, reason);
    }

    @Override
    public void close() throws IOException {
        try {
            arena.close();
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + path + " (" + metadata.size() + " metadata, " + tensors.size() + " tensors)";
    }

    private Object present(String key) throws GGUFFormatException {
        Object value = metadata.get(key);
        if (value == null) {
            throw error("missing metadata key '" + key + "'");
        }
        return value;
    }

    private <T> T required(String key, Class<T> type, String expected) throws GGUFFormatException {
        Object value = present(key);
        if (!type.isInstance(value)) {
            throw wrongType(key, value, expected);
        }
        return type.cast(value);
    }

    private GGUFFormatException wrongType(String key, Object value, String expected) {
        return error("metadata '" + key + "' should be " + expected + " but is " + describe(value));
    }

    private static String describe(Object value) {
        if (value.getClass().isArray()) {
            return "an array of " + value.getClass().getComponentType().getSimpleName();
        }
        return "a " + value.getClass().getSimpleName() + " (" + value + ")";
    }

    private static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** Bounds-checked little-endian cursor over the mapped file. */
    private final class Reader {
        long position;

        private void need(long bytes, String what) throws GGUFFormatException {
            if (bytes < 0 || bytes > file.byteSize() - position) {
                throw error("truncated file: " + what + " needs " + bytes + " bytes at offset " + position
                        + " but the file has " + file.byteSize() + " bytes");
            }
        }

        int int32(String what) throws GGUFFormatException {
            need(4, what);
            int v = file.get(INT, position);
            position += 4;
            return v;
        }

        long int64(String what) throws GGUFFormatException {
            need(8, what);
            long v = file.get(LONG, position);
            position += 8;
            return v;
        }

        /** A count of items of at least {@code minBytesEach} each, checked against the bytes left. */
        long count(String what, long minBytesEach) throws GGUFFormatException {
            long n = int64(what);
            long left = file.byteSize() - position;
            if (n < 0 || n > left / minBytesEach || n > Integer.MAX_VALUE - 8) {
                throw error("implausible " + what + " " + Long.toUnsignedString(n) + " for " + left + " remaining bytes");
            }
            return n;
        }

        String string(String what) throws GGUFFormatException {
            long length = int64("length of " + what);
            if (length < 0 || length > Integer.MAX_VALUE - 8) {
                throw error("implausible string length " + Long.toUnsignedString(length) + " for " + what);
            }
            need(length, what);
            byte[] bytes = file.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
            position += length;
            // Lenient on purpose: a malformed piece becomes U+FFFD instead of making the whole model unreadable.
            return new String(bytes, StandardCharsets.UTF_8);
        }

        Object value(int type, String key, int depth) throws GGUFFormatException {
            return switch (type) {
                case 0 -> { need(1, key); yield Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, position++)); }
                case 1 -> { need(1, key); yield (int) file.get(ValueLayout.JAVA_BYTE, position++); }
                case 2 -> { need(2, key); int v = Short.toUnsignedInt(file.get(SHORT, position)); position += 2; yield v; }
                case 3 -> { need(2, key); int v = file.get(SHORT, position); position += 2; yield v; }
                case 4 -> Integer.toUnsignedLong(int32(key));
                case 5 -> int32(key);
                case 6 -> { need(4, key); float v = file.get(FLOAT, position); position += 4; yield v; }
                case 7 -> {
                    need(1, key);
                    byte b = file.get(ValueLayout.JAVA_BYTE, position++);
                    if (b != 0 && b != 1) {
                        throw error("metadata '" + key + "': invalid bool value " + b);
                    }
                    yield b == 1;
                }
                case 8 -> string(key);
                case 9 -> array(key, depth);
                case 10, 11 -> int64(key);
                case 12 -> { need(8, key); double v = file.get(DOUBLE, position); position += 8; yield v; }
                default -> throw error("metadata '" + key + "': unknown value type " + Integer.toUnsignedString(type));
            };
        }

        private Object array(String key, int depth) throws GGUFFormatException {
            if (depth > 8) {
                throw error("metadata '" + key + "': arrays nested too deeply");
            }
            int elementType = int32("element type of " + key);
            int elementSize = switch (elementType) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 10, 11, 12 -> 8;
                case 8 -> 8; // at least the length prefix
                case 9 -> 12; // at least element type + count
                default -> throw error("metadata '" + key + "': unknown array element type " + Integer.toUnsignedString(elementType));
            };
            int n = (int) count("element count of " + key, elementSize);
            switch (elementType) {
                case 0, 1, 2, 3, 5 -> {
                    int[] a = new int[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (Integer) value(elementType, key, depth + 1);
                    }
                    return a;
                }
                case 4, 10, 11 -> {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (Long) value(elementType, key, depth + 1);
                    }
                    return a;
                }
                case 6 -> {
                    float[] a = new float[n];
                    MemorySegment.copy(file, FLOAT, position, a, 0, n);
                    position += 4L * n;
                    return a;
                }
                case 12 -> {
                    double[] a = new double[n];
                    MemorySegment.copy(file, DOUBLE, position, a, 0, n);
                    position += 8L * n;
                    return a;
                }
                case 7 -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (Boolean) value(elementType, key, depth + 1);
                    }
                    return a;
                }
                case 8 -> {
                    String[] a = new String[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = string(key + "[" + i + "]");
                    }
                    return a;
                }
                default -> {
                    Object[] a = new Object[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = value(elementType, key, depth + 1);
                    }
                    return a;
                }
            }
        }
    }
}
