package io.herd.distribution.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local model cache: {@code <herd home>/models/<owner>/<repo>/<file>}. Files being downloaded
 * carry a {@code .part} suffix and are never listed.
 */
public final class ModelCache {

    static final String PART_SUFFIX = ".part";

    private final Path root;

    public ModelCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path pathOf(ModelReference reference) {
        Path path = root.resolve(reference.repo()).resolve(reference.file()).normalize();
        if (!path.startsWith(root.normalize())) {
            throw new IllegalArgumentException("model path escapes the cache: " + reference);
        }
        return path;
    }

    public Path partialPathOf(ModelReference reference) {
        Path path = pathOf(reference);
        return path.resolveSibling(path.getFileName() + PART_SUFFIX);
    }

    public List<CachedModel> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<CachedModel> models = new ArrayList<>();
            files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(PART_SUFFIX))
                    .sorted(Comparator.naturalOrder())
                    .forEach(p -> models.add(describe(p)));
            return models;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model cache " + root, e);
        }
    }

    /**
     * Finds a cached model by id (file name without extension), file name, or
     * {@code owner/repo/file} path.
     */
    public Optional<CachedModel> find(String name) {
        List<CachedModel> matches = list().stream().filter(m -> m.matches(name)).toList();
        if (matches.size() > 1) {
            throw new IllegalArgumentException("'" + name + "' matches several cached models: "
                    + matches.stream().map(CachedModel::name).toList() + "; use the owner/repo/file name");
        }
        return matches.stream().findFirst();
    }

    /** Deletes a cached model (and any partial download of it); returns what was removed. */
    public CachedModel remove(String name) {
        CachedModel model = find(name).orElseThrow(() ->
                new IllegalArgumentException("no cached model named '" + name + "' under " + root));
        try {
            Files.delete(model.path());
            Files.deleteIfExists(model.path().resolveSibling(model.path().getFileName() + PART_SUFFIX));
            pruneEmptyParents(model.path().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + model.path(), e);
        }
        return model;
    }

    private void pruneEmptyParents(Path dir) throws IOException {
        while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    return;
                }
            }
            Files.delete(dir);
            dir = dir.getParent();
        }
    }

    private CachedModel describe(Path path) {
        try {
            return new CachedModel(root.relativize(path).toString().replace('\\', '/'), path, Files.size(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** A model file in the cache; {@code name} is its path relative to the cache root. */
    public record CachedModel(String name, Path path, long sizeBytes) {

        public String id() {
            String file = path.getFileName().toString();
            int dot = file.lastIndexOf('.');
            return dot > 0 ? file.substring(0, dot) : file;
        }

        boolean matches(String query) {
            return name.equals(query) || id().equals(query) || path.getFileName().toString().equals(query);
        }
    }
}
