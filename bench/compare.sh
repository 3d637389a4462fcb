#!/usr/bin/env bash
# compare.sh - Herd's engine beside llama.cpp on the same GGUF files, thread counts, prompt and decode
# lengths, interleaved in rounds (each round, per model and thread count: llama.cpp, then Herd), as
# ../shared/bench/README.md prescribes. Writes the medians [min-max] and Herd/llama.cpp ratios into
# docs/benchmarks.md, section "Engine vs llama.cpp" (replaced if present), and keeps the raw JSON lines.
#
# llama.cpp peer: 1 thread = node-llama-cpp (bench_node.sh); 2+ threads = llama-bench (bench_llama_bench.sh)
# when $WORK/build-llama.cpp/bin/llama-bench exists, else node-llama-cpp (its 2-thread decode is
# throttled on small VMs; such rows are marked). Herd: `herd bench --json` in a fresh JVM per run.
#
# Usage: bench/compare.sh [MODEL.gguf ...]
#   default models: $WORK/models/bench-110m-Q8_0.gguf bench-1b-Q8_0.gguf bench-1b-Q4_0.gguf
# Env: ROUNDS=3  THREADS="1 2"  PROMPT_TOKENS=128  N=128  BATCH=1,8 (Herd batch sizes)
#      PREFIX_TOKENS=1000 (prefix-cache measurement, first round and first model only; 0 skips)  HERD_BENCH_DIR=../shared/bench
#      WORK=${HERD_PEER_DIR:-$HOME/.cache/herd-peer}  JAVA=<java 25+>  HERD_HEAP=2g  DOC=docs/benchmarks.md
#      NO_DOC=1 (print the section instead of writing it)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
B="$(cd "${HERD_BENCH_DIR:-$ROOT/../shared/bench}" && pwd)"
WORK="${HERD_PEER_DIR:-$HOME/.cache/herd-peer}"
ROUNDS="${ROUNDS:-3}"; THREADS="${THREADS:-1 2}"; PROMPT_TOKENS="${PROMPT_TOKENS:-128}"; N="${N:-128}"
BATCH="${BATCH:-1,8}"; PREFIX_TOKENS="${PREFIX_TOKENS:-1000}"; DOC="${DOC:-$ROOT/docs/benchmarks.md}"
LLAMA_BENCH="${LLAMA_BENCH:-$WORK/build-llama.cpp/bin/llama-bench}"
if [ "$#" -gt 0 ]; then MODELS=("$@")
else MODELS=("$WORK/models/bench-110m-Q8_0.gguf" "$WORK/models/bench-1b-Q8_0.gguf" "$WORK/models/bench-1b-Q4_0.gguf"); fi
for m in "${MODELS[@]}"; do [ -f "$m" ] || { echo "error: no model $m (run $B/setup.sh)" >&2; exit 1; }; done

if [ -z "${JAVA:-}" ]; then
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"
  else JAVA="$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)"; JAVA="${JAVA:-java}"; fi
fi

OUTDIR="$WORK/results/compare-$(date -u +%Y%m%dT%H%M%SZ)"; mkdir -p "$OUTDIR"
echo "results: $OUTDIR" >&2

# Build (no install) and assemble the runtime classpath; Maven fetches its dependency plugin on a fresh machine.
# One reactor invocation, so sibling modules resolve to their target/classes (nothing is installed).
(cd "$ROOT" && ./mvnw -q -pl inference-provider -am compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUTDIR/classpath.txt") \
  || { echo "error: the build failed (see above)" >&2; exit 1; }
CP="$ROOT/inference-provider/target/classes:$(cat "$OUTDIR/classpath.txt")"
herd_bench() { # model threads prefix_tokens
  # A small young generation (as ./herd sets): otherwise the collector lets eden grow on the warm-up's
  # short-lived garbage and peak RSS reports that instead of what the engine holds.
  "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx${HERD_HEAP:-2g} -Xmn64m -cp "$CP" \
    io.herd.engine.cli.HerdCli bench --model "$1" --threads "$2" --prompt-tokens "$PROMPT_TOKENS" \
    --gen-tokens "$N" --batch "$BATCH" --prefix-tokens "$3" --json 2>/dev/null
}

for r in $(seq 1 "$ROUNDS"); do
  for m in "${MODELS[@]}"; do
    # The prefix-cache run (two 1,000-token prefills) takes minutes on a 1B model: first round, first model only.
    prefix=0; [ "$r" = 1 ] && [ "$m" = "${MODELS[0]}" ] && prefix="$PREFIX_TOKENS"
    for t in $THREADS; do
      if [ "$t" != 1 ] && [ -x "$LLAMA_BENCH" ]; then
        ROUND="$r" REPS=1 THREADS="$t" PROMPT_TOKENS="$PROMPT_TOKENS" N="$N" LLAMA_BENCH="$LLAMA_BENCH" \
          OUT="$OUTDIR/llama_bench.jsonl" "$B/bench_llama_bench.sh" "$m" >&2
      else
        ROUND="$r" REPS=1 THREADS="$t" PROMPT_TOKENS="$PROMPT_TOKENS" N="$N" \
          OUT="$OUTDIR/node.jsonl" "$B/bench_node.sh" "$m"
      fi
      line="$(herd_bench "$m" "$t" "$prefix")"
      printf '%s\n' "$line" | python3 -c "
import json, sys
d = json.loads(sys.stdin.read()); d['round'] = sys.argv[1]; d['path'] = sys.argv[2]
print(json.dumps(d))
sys.stderr.write('round %s herd %-24s t=%d  prefill %8.2f tok/s  decode %8.2f tok/s  aggregate %s\n' % (
    sys.argv[1], d['model'], d['threads'], d['prefill_tok_s'], d['decode_tok_s'], d['aggregate_tok_s']))
" "$r" "$m" >> "$OUTDIR/herd.jsonl"
    done
  done
done

python3 - "$OUTDIR" "$DOC" "${NO_DOC:-}" "$ROUNDS" "$PROMPT_TOKENS" "$N" "$BATCH" <<'PY'
import json, os, re, statistics, subprocess, sys, datetime
outdir, doc, no_doc, rounds, pp, n, batch = sys.argv[1:8]

def lines(name):
    path = os.path.join(outdir, name)
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []

def med(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return (statistics.median(values), min(values), max(values))

def fmt(m, digits=1):
    if m is None:
        return "-"
    return f"{m[0]:.{digits}f} [{m[1]:.{digits}f}-{m[2]:.{digits}f}]" if m[1] != m[2] else f"{m[0]:.{digits}f}"

def ratio(a, b):
    return "-" if a is None or b is None or b[0] == 0 else f"{a[0] / b[0]:.2f}"

herd, node, lb = lines("herd.jsonl"), lines("node.jsonl"), lines("llama_bench.jsonl")
keys = []
for d in herd:
    k = (os.path.basename(d["path"]), d["threads"])
    if k not in keys:
        keys.append(k)

rows, batch_rows, prefix_rows = [], [], []
for model, t in keys:
    h = [d for d in herd if os.path.basename(d["path"]) == model and d["threads"] == t]
    hp, ht = med([d["prefill_tok_s"] for d in h]), med([d["decode_tok_s"] for d in h])
    peer, mark = "node", ""
    lbr = [r for r in lb if r["model_filename"].split("/")[-1] == model and r["n_threads"] == t]
    if lbr:
        peer = "llama-bench"
        lp = med([r["avg_ts"] for r in lbr if r["n_prompt"]])
        lt = med([r["avg_ts"] for r in lbr if r["n_gen"] and not r["n_prompt"]])
    else:
        nr = [d for d in node if os.path.basename(d["model"]) == model and d["requested_threads"] == t]
        lp, lt = med([d["wall"]["prompt_tok_s"] for d in nr]), med([d["wall"]["decode_tok_s"] for d in nr])
        mark = " ⚠" if t != 1 else ""
    rows.append(f"| {model} | {t} | {peer} | {fmt(hp)} | {fmt(lp)} | {ratio(hp, lp)} | {fmt(ht)} | {fmt(lt)}{mark} | {ratio(ht, lt)}{mark} |")
    sizes = sorted({int(s) for d in h for s in d["aggregate_tok_s"]})
    agg = {s: med([d["aggregate_tok_s"].get(str(s)) for d in h]) for s in sizes}
    cells = " / ".join(f"{s}: {fmt(agg[s])}" for s in sizes)
    scale = ratio(agg[sizes[-1]], agg[sizes[0]]) if len(sizes) > 1 else "-"
    budget = med([d['rss_budget_bytes'] / 2**20 for d in h if 'rss_budget_bytes' in d])
    batch_rows.append(f"| {model} | {t} | {cells} | {scale} | {fmt(med([d['ttft_ms'] for d in h]))} | "
                      f"{fmt(med([d['peak_rss_bytes'] / 2**20 for d in h]), 0)} | {fmt(budget, 0)} |")
    for d in h:
        p = d.get("prefix_cache")
        if p:
            prefix_rows.append(f"| {model} | {t} | {p['prefix_tokens']} + {p['new_tokens']} | {p['ttft_ms_without_cache']:.1f} | "
                               f"{p['ttft_ms_with_cache']:.1f} | {p['cached_tokens']} | {p['ratio']:.1f}x |")

try:
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(doc)), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
except OSError:
    commit = "?"
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
section = f"""## Engine vs llama.cpp

Measured {now} with `bench/compare.sh` (Herd commit {commit}): {rounds} interleaved rounds, each running
llama.cpp then Herd on the same file and thread count; prompt = exactly {pp} tokens including BOS, then {n}
greedy tokens with EOS ignored; pp = prompt tokens / time to first token, tg = ({n}-1) / time from first to
last token. Medians [min-max]; ratio = Herd median / llama.cpp median. llama.cpp peer: node-llama-cpp at 1
thread, llama-bench at 2 threads when built (⚠: node-llama-cpp at 2 threads, whose decode is throttled on
this VM - see ../shared/bench/README.md). Raw JSON lines: `{outdir}`.

| model | threads | llama.cpp via | pp Herd | pp llama.cpp | pp ratio | tg Herd | tg llama.cpp | tg ratio |
|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

Herd continuous batching: aggregate decode tok/s with B concurrent requests (all prompts prefilled in the first
step, then B tokens per forward pass), its ratio largest/smallest B, Herd's time to first token at batch 1 and
the process's peak RSS (VmHWM) beside its bound (model file + the largest KV budget of the run + 400 MiB).

| model | threads | aggregate tok/s by batch size | scaling | ttft ms | peak RSS MiB | RSS bound MiB |
|---|---|---|---|---|---|---|
""" + "\n".join(batch_rows) + """

Prefix cache: time to first token for a prompt of a shared prefix plus new tokens, after another request
with the same prefix (cache on) and with the cache off (first round, first model only).

| model | threads | prefix + new tokens | ttft ms without | ttft ms with | tokens from cache | speed-up |
|---|---|---|---|---|---|---|
""" + ("\n".join(prefix_rows) if prefix_rows else "| - | - | - | - | - | - | - |") + "\n"

print(section)
if not no_doc:
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    pattern = re.compile(r"^## Engine vs llama\.cpp\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(doc, "w").write(text)
    sys.stderr.write(f"wrote section 'Engine vs llama.cpp' of {doc}\n")
PY
