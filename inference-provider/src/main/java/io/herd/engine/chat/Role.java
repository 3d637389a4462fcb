package io.herd.engine.chat;

import java.util.Locale;

/** Who wrote a message, named as in the OpenAI API. */
public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromApiName(String name) {
        for (Role role : values()) {
            if (role.apiName().equals(name)) {
                return role;
            }
        }
        throw new ChatFormatException("unknown message role '" + name + "'; expected one of system, user, assistant, tool");
    }
}
