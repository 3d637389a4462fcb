package io.herd.distribution.models;

import java.util.regex.Pattern;

/**
 * A file in a Hugging Face model repository, e.g. {@code bartowski/Llama-3.2-1B-Instruct-GGUF}
 * + {@code Llama-3.2-1B-Instruct-Q4_K_M.gguf} at revision {@code main}.
 */
public record ModelReference(String repo, String file, String revision) {

    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

    public static final ModelReference DEFAULT_CHAT_MODEL =
            new ModelReference("bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf", "main");

    public ModelReference {
        if (repo == null || !REPO.matcher(repo).matches()) {
            throw new IllegalArgumentException("Hugging Face repository must look like 'owner/name', got: " + repo);
        }
        if (file == null || file.isBlank() || file.startsWith("/") || file.contains("..") || file.contains("\\")) {
            throw new IllegalArgumentException("model file must be a relative path inside " + repo + ", got: " + file);
        }
        if (revision == null || !REVISION.matcher(revision).matches() || revision.contains("..")) {
            throw new IllegalArgumentException("revision must be a branch, tag or commit, got: " + revision);
        }
    }

    /**
     * Parses {@code owner/name/path/to/file.gguf} (the file given inline) or, when {@code file} is
     * not null, {@code owner/name} plus that file. A {@code hf://} or {@code hf.co/} prefix is accepted.
     */
    public static ModelReference parse(String spec, String file, String revision) {
        String trimmed = spec.strip();
        for (String prefix : new String[] {"hf://", "https://huggingface.co/", "huggingface.co/", "hf.co/"}) {
            if (trimmed.startsWith(prefix)) {
                trimmed = trimmed.substring(prefix.length());
            }
        }
        String rev = revision == null ? "main" : revision;
        if (file != null) {
            return new ModelReference(trimmed, file, rev);
        }
        String[] parts = trimmed.split("/", 3);
        if (parts.length < 3) {
            throw new IllegalArgumentException("name the GGUF file to pull: 'owner/repo/file.gguf' or 'owner/repo file.gguf', got: " + spec);
        }
        return new ModelReference(parts[0] + "/" + parts[1], parts[2], rev);
    }

    /** Model id used when the file is served: its name without directories and extension. */
    public String modelId() {
        return idOf(file.substring(file.lastIndexOf('/') + 1));
    }

    /** A model file's id: its name without the extension. */
    public static String idOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    @Override
    public String toString() {
        return repo + "/" + file + ("main".equals(revision) ? "" : "@" + revision);
    }
}
