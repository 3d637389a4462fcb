/** agents module of Herd. */
package io.herd.agents;
