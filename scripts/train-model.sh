#!/usr/bin/env bash
# Retrains the model shipped with Homeostat from the committed corpus, deterministically (seed 1), then reports
# its quality on the held-out split. Commit the model file together with any change to the corpus.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$root/src/Homeostat.Learning/Model/homeostat-classifier.zip"
# Every data/classifier/train*.jsonl file, in name order, is training data.
export LC_ALL=C
inputs=()
for file in "$root"/data/classifier/train*.jsonl; do inputs+=(--input "$file"); done
"$root/homeostat" train "${inputs[@]}" --output "$model" --seed 1
# The CLI embeds the model at build time: rebuild so eval uses the new one.
"$root/homeostat" eval --input "$root/data/classifier/heldout.jsonl" --model "$model"
