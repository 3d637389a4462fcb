package io.herd.gateway.web;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code /openapi.json} (the hand-written OpenAPI 3.1 document of api-spec, converted from YAML once at start)
 * and {@code /docs}, a Swagger UI page whose scripts come from the jar, so it works without internet access.
 */
public final class ApiDocsHandler {

    /** Classpath location of the OpenAPI document in api-spec. */
    public static final String OPENAPI_RESOURCE = "openapi/herd-openapi.yaml";
    /** Swagger UI assets (org.webjars:swagger-ui); keep in step with the gateway pom. */
    public static final String SWAGGER_UI_ASSETS = "META-INF/resources/webjars/swagger-ui/5.34.1/";

    private final byte[] openApiJson;
    private final String yaml;

    public ApiDocsHandler(ObjectMapper mapper) {
        this.yaml = readResource(OPENAPI_RESOURCE);
        Object tree = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        this.openApiJson = mapper.writeValueAsBytes(tree);
    }

    public Mono<ServerResponse> openApiJson(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(openApiJson);
    }

    public Mono<ServerResponse> openApiYaml(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.parseMediaType("application/yaml")).bodyValue(yaml);
    }

    public Mono<ServerResponse> docsPage(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(DOCS_PAGE);
    }

    private static String readResource(String name) {
        try (InputStream in = ApiDocsHandler.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath (it ships in herd-api-spec)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String DOCS_PAGE = """
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Herd API</title>
              <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
              <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="/docs/assets/swagger-ui-bundle.js"></script>
              <script>
                window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
              </script>
            </body>
            </html>
            """;
}
