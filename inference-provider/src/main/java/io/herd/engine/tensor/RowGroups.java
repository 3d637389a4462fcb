package io.herd.engine.tensor;

/**
 * Where a 32-element block sits in a matrix that was repacked at load into groups of {@code groupBlocks} blocks side
 * by side (block l of a group in vector lane l): each row of {@code rowLength} elements starts a new group, and a row
 * whose block count is not a multiple of {@code groupBlocks} ends in a padded group. {@link Q4_0Tensor} uses groups of
 * 16 blocks, {@link Q8_0Tensor} groups of 8.
 */
record RowGroups(long rowLength, int groupBlocks) {

    static final int BLOCK = 32;

    /** The groups of {@code type}'s rows of {@code rowLength} elements, which must be whole blocks and tile {@code size}. */
    static RowGroups of(String type, long size, long rowLength, int groupBlocks) {
        if (rowLength <= 0 || rowLength % BLOCK != 0 || size % rowLength != 0) {
            throw new IllegalArgumentException(type + " rows of " + rowLength + " elements do not tile " + size + " elements");
        }
        return new RowGroups(rowLength, groupBlocks);
    }

    /** Groups of {@code groupBlocks} blocks that hold {@code elements} elements (a multiple of 32), the last one padded. */
    static long groupsFor(long elements, int groupBlocks) {
        return (elements / BLOCK + groupBlocks - 1) / groupBlocks;
    }

    long groupsPerRow() {
        return groupsFor(rowLength, groupBlocks);
    }

    long blocksPerRow() {
        return rowLength / BLOCK;
    }

    private long groupElements() {
        return (long) groupBlocks * BLOCK;
    }

    /** The group that holds element {@code index} (a block's first element or any other). */
    long group(long index) {
        return (index / rowLength) * groupsPerRow() + (index % rowLength) / groupElements();
    }

    /** The lane of the block that holds element {@code index}. */
    int lane(long index) {
        return (int) ((index % rowLength) / BLOCK % groupBlocks);
    }

    /**
     * Whether elements {@code [offset, offset + n)} are whole groups of one row (what the vector kernels read): they
     * start a group and end on a group boundary or at the row's end.
     */
    boolean inWholeGroups(long offset, long n) {
        long column = offset % rowLength;
        return column % groupElements() == 0 && n % BLOCK == 0 && column + n <= rowLength
                && (n % groupElements() == 0 || column + n == rowLength);
    }

    /**
     * Whether every row of a matrix {@code cols} wide is whole groups, row r starting at group
     * {@code r * groupsFor(cols)}: its rows are the layout's rows, or neither has padding.
     */
    boolean rowsAreWholeGroups(int cols) {
        return cols == rowLength || (rowLength % groupElements() == 0 && cols % groupElements() == 0);
    }
}
