package io.herd.engine.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts input text at occurrences of special-token texts, the way llama.cpp's
 * {@code tokenizer_st_partition} does: tokens are tried longest text first, each splitting every
 * remaining text fragment at its leftmost non-overlapping occurrences. User-defined tokens are
 * always matched; control and unknown tokens only when special parsing is on.
 */
final class SpecialTokenSplitter {

    /** A piece of input: either plain text to tokenize, or an already known token. */
    sealed interface Fragment permits TextFragment, TokenFragment {
    }

    record TextFragment(String text) implements Fragment {
    }

    record TokenFragment(int token) implements Fragment {
    }

    private record Candidate(String text, int token, boolean alwaysMatched) {
    }

    private final List<Candidate> candidates;

    /**
     * @param texts token texts by id (null or empty for tokens that are never matched)
     * @param types token types by id
     */
    SpecialTokenSplitter(String[] texts, TokenType[] types) {
        List<Candidate> list = new ArrayList<>();
        for (int id = 0; id < texts.length; id++) {
            if (types[id].isMatchedAsText() && texts[id] != null && !texts[id].isEmpty()) {
                list.add(new Candidate(texts[id], id, types[id] == TokenType.USER_DEFINED));
            }
        }
        // stable sort: equal lengths keep id order, as std::sort does in practice for llama.cpp's small sets
        list.sort(Comparator.comparingInt((Candidate c) -> c.text.length()).reversed());
        this.candidates = List.copyOf(list);
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new TextFragment(text));
        for (Candidate candidate : candidates) {
            if (!parseSpecial && !candidate.alwaysMatched) {
                continue;
            }
            fragments = splitAll(fragments, candidate);
        }
        return fragments;
    }

    private static List<Fragment> splitAll(List<Fragment> fragments, Candidate candidate) {
        List<Fragment> result = null;
        for (int i = 0; i < fragments.size(); i++) {
            Fragment fragment = fragments.get(i);
            if (fragment instanceof TextFragment(String text) && text.contains(candidate.text)) {
                if (result == null) {
                    result = new ArrayList<>(fragments.subList(0, i));
                }
                int start = 0;
                int match;
                while ((match = text.indexOf(candidate.text, start)) >= 0) {
                    if (match > start) {
                        result.add(new TextFragment(text.substring(start, match)));
                    }
                    result.add(new TokenFragment(candidate.token));
                    start = match + candidate.text.length();
                }
                if (start < text.length()) {
                    result.add(new TextFragment(text.substring(start)));
                }
            } else if (result != null) {
                result.add(fragment);
            }
        }
        return result == null ? fragments : result;
    }
}
