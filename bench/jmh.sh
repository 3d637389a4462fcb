#!/usr/bin/env sh
# jmh.sh - the JMH benchmarks of the engine kernels (inference-provider, io.herd.engine.bench and
# io.herd.engine.model *Benchmark): builds what they need and runs them in forked JVMs with Herd's JVM flags.
#
# Usage: bench/jmh.sh [REGEX ...] [JMH options]      (arguments go to JMH unchanged; -h lists its options)
#   bench/jmh.sh                                     every benchmark, short defaults (1 fork, 2-3 x 1 s warm-up, 3 x 1 s; about 5 min)
#   bench/jmh.sh MatmulBenchmark -p type=Q4_0        one weight type of the matmul benchmark
#   bench/jmh.sh MatmulBenchmark -p threads=2 -i 5   two threads, five measurement iterations
# Env: MVNW_FLAGS (default -q; add -o to stay offline). Arguments must not contain spaces.
set -eu
cd "$(dirname "$0")/.."
exec ./mvnw ${MVNW_FLAGS:--q} -pl inference-provider -am test-compile exec:exec@bench -Dbench.args="$*"
