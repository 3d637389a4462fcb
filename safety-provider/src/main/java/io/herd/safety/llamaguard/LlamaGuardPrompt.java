package io.herd.safety.llamaguard;

import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the Llama Guard 3 classification prompt, sent as a single user message to the guard model. The text
 * follows Meta's documented template (including its "according our safety policy" wording), with the
 * conversation written as "User: …" / "Agent: …" turns separated by blank lines and the task asked about the
 * role of the last message.
 */
public final class LlamaGuardPrompt {

    private static final String TASK =
            "Task: Check if there is unsafe content in '%s' messages in conversations according our safety policy with the below categories.";

    private LlamaGuardPrompt() {
    }

    /**
     * @param messages the conversation; must not be empty
     * @param excluded codes left out of the category list (all excluded means none excluded, as in Llama Stack)
     */
    public static String build(List<ChatMessage> messages, List<LlamaGuardCategory> categories, Set<String> excluded) {
        List<ChatMessage> conversation = normalise(messages);
        String agentType = label(conversation.getLast().role());
        StringBuilder prompt = new StringBuilder(1024 + conversation.size() * 128);
        prompt.append(TASK.formatted(agentType)).append("\n\n<BEGIN UNSAFE CONTENT CATEGORIES>\n");
        boolean excludeNone = excluded.size() >= LlamaGuardCategory.values().length;
        for (LlamaGuardCategory category : categories) {
            if (excludeNone || !excluded.contains(category.code())) {
                prompt.append(category.code()).append(": ").append(category.displayName()).append(".\n");
            }
        }
        prompt.append("<END UNSAFE CONTENT CATEGORIES>\n\n<BEGIN CONVERSATION>\n\n");
        for (int i = 0; i < conversation.size(); i++) {
            ChatMessage m = conversation.get(i);
            if (i > 0) {
                prompt.append("\n\n");
            }
            prompt.append(label(m.role())).append(": ").append(m.text());
        }
        prompt.append("\n\n<END CONVERSATION>\n\n")
                .append("Provide your safety assessment for ONLY THE LAST ").append(agentType)
                .append(" message in the above conversation:\n")
                .append(" - First line must read 'safe' or 'unsafe'.\n")
                .append(" - If unsafe, a second line must include a comma-separated list of violated categories.");
        return prompt.toString();
    }

    /**
     * Llama Guard expects a conversation that opens with the user: a first message of another role (a system prompt,
     * a tool result) is read as the user's, and when two user messages open the conversation the first is dropped.
     */
    static List<ChatMessage> normalise(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("Llama Guard needs at least one message");
        }
        List<ChatMessage> out = new ArrayList<>(messages);
        if (out.getFirst().role() != Role.USER) {
            out.set(0, ChatMessage.user(out.getFirst().text()));
        }
        if (out.size() >= 2 && out.get(1).role() == Role.USER) {
            out.removeFirst();
        }
        return out;
    }

    /** Meta's template knows two parties: the model ("Agent") and everyone else ("User"). */
    static String label(Role role) {
        return role == Role.ASSISTANT ? "Agent" : "User";
    }
}
