/** distributions/single-node module of Herd. */
package io.herd.distribution;
