package io.herd.engine.gguf;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Drops the resident pages of part of a read-only file mapping ({@code madvise(MADV_DONTNEED)}): the process stops
 * counting them in its RSS, and a later read faults them back in from the file. Used once a tensor has been
 * repacked into memory of its own, so that the model is not resident twice. Where {@code madvise} cannot be
 * called, this does nothing and the pages stay until the file is closed.
 */
final class MappedPages {

    private static final long PAGE = 4096;
    private static final int MADV_DONTNEED = 4;
    private static final MethodHandle MADVISE = lookup();

    private MappedPages() {
    }

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("madvise")
                    .map(symbol -> linker.downcallHandle(symbol,
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // no native access (e.g. not enabled for this module): keep the pages
        }
    }

    /** Releases the whole pages inside {@code mapped}; pages it shares with neighbouring data are kept. */
    static void release(MemorySegment mapped) {
        if (MADVISE == null) {
            return;
        }
        long start = (mapped.address() + PAGE - 1) / PAGE * PAGE;
        long end = (mapped.address() + mapped.byteSize()) / PAGE * PAGE;
        if (end <= start) {
            return;
        }
        try {
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_DONTNEED);
        } catch (Throwable e) {
            // best effort: the pages stay resident until the file is closed
        }
    }
}
