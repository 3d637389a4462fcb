/** inference-provider module of Herd. */
package io.herd.engine;
