/** gateway module of Herd. */
package io.herd.gateway;
