/** safety-provider module of Herd. */
package io.herd.safety;
