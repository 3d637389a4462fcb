package io.herd.safety.promptguard;

/**
 * Estimates how likely a piece of text tries to hijack the model (prompt injection or jailbreak).
 * The heuristic implementation can be swapped for a classifier model (e.g. Prompt-Guard-86M run by the
 * engine) without touching the shield.
 */
@FunctionalInterface
public interface InjectionScorer {

    InjectionScore score(String text);
}
