package io.herd.engine.model;

/**
 * Precision of the attention's keys and values. {@link #F16} is llama.cpp's default: keys and values are
 * stored in half precision, and the query and the attention weights are rounded to half precision for
 * the products with them, so results track llama.cpp's closely. {@link #F32} keeps everything in float,
 * as llama2.c does.
 */
public enum KvCachePrecision {
    F32,
    F16
}
