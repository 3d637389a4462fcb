/** api-spec module of Herd. */
package io.herd.api;
