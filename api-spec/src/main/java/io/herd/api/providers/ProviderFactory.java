package io.herd.api.providers;

/**
 * Builds provider instances of one {@code provider_type} (e.g. {@code inline::herd}). Front ends discover
 * factories (the gateway as Spring beans, plain Java code through {@link java.util.ServiceLoader}) and call
 * {@link #create} once per entry in {@code config.yaml}; a new provider type needs no change to the router.
 *
 * @param <P> the provider SPI of the API, e.g. {@link io.herd.api.inference.InferenceProvider}
 */
public interface ProviderFactory<P extends AutoCloseable> {

    /** The API this factory serves, e.g. {@code inference} or {@code safety}. */
    String api();

    /** The {@code provider_type} it builds, e.g. {@code remote::openai}. */
    String providerType();

    /**
     * Builds one provider. Throw {@link IllegalArgumentException} with a message naming the config field
     * when the configuration is wrong; the server refuses to start and shows it.
     */
    P create(ProviderContext context);
}
