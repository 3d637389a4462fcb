package io.herd.gateway.route;

import java.util.List;

/**
 * Adds REST routes to the gateway (e.g. the safety API). Each route is served by a handler the
 * contributor registers under {@link ApiRoutes#INTERNAL_PREFIX} + the route's path, and goes through
 * the same gateway filters (authentication, limits, ...) as the core routes.
 */
public interface ApiRouteContributor {
    List<ApiRoute> routes();
}
