package io.herd.safety.pii;

import java.util.Locale;

/** Kinds of personal data and secrets the PII shield finds; the config names them in lower case. */
public enum PiiCategory {
    EMAIL,
    PHONE,
    CREDIT_CARD,
    IBAN,
    NATIONAL_ID,
    IP_ADDRESS,
    SECRET;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The text put in place of a redacted value, e.g. {@code [REDACTED_EMAIL]}. */
    public String placeholder() {
        return "[REDACTED_" + name() + "]";
    }

    public static PiiCategory fromConfigName(String name) {
        for (PiiCategory category : values()) {
            if (category.configName().equalsIgnoreCase(name) || category.name().equalsIgnoreCase(name)) {
                return category;
            }
        }
        throw new IllegalArgumentException("unknown PII category '" + name + "'; expected one of email, phone, credit_card, "
                + "iban, national_id, ip_address, secret");
    }
}
