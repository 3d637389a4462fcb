package io.herd.engine.tensor;

/**
 * Chooses between the Vector API kernels and scalar code. The Vector API is used when the
 * {@code jdk.incubator.vector} module is present, unless {@code -Dherd.vector=false}.
 */
public final class Kernels {

    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equalsIgnoreCase(System.getProperty("herd.vector"));

    private Kernels() {
    }
}
