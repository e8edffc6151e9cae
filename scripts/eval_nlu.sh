#!/usr/bin/env bash
# NLU evaluation, run by `make eval-nlu` (slow: trains five models; not part of `make test`).
#   1. 5-fold cross-validation on bot/data -> reports/nlu-cv/; fails when the macro
#      intent F1 is under NLU_MIN_MACRO_F1 (default 0.92).
#   2. The held-out sets tests/nlu/*.yml (never used for training) against the trained
#      model models/lot-assistant.tar.gz -> reports/nlu-holdout/; accuracy is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
rasa=.venv-bot/bin/rasa
python=.venv-bot/bin/python
min_f1="${NLU_MIN_MACRO_F1:-0.92}"
model=models/lot-assistant.tar.gz

rm -rf reports/nlu-cv reports/nlu-holdout
mkdir -p reports

echo "== 5-fold cross-validation (reports/nlu-cv)"
# Rasa's evaluation undoes every FallbackClassifier prediction (the scores are those of
# the intent underneath), but undoing deep-copies the message with its spaCy document:
# 4x slower. The same pipeline without that last step gives the same scores.
cv_config=reports/nlu-cv-config.yml
$python - "$cv_config" <<'PY'
import sys

import yaml

config = yaml.safe_load(open("config.yml", encoding="utf-8"))
config["pipeline"] = [c for c in config["pipeline"] if c["name"] != "FallbackClassifier"]
yaml.safe_dump(config, open(sys.argv[1], "w", encoding="utf-8"), allow_unicode=True)
PY
start=$(date +%s)
$rasa test nlu --config "$cv_config" --nlu bot/data --cross-validation --folds 5 \
  --out reports/nlu-cv --no-plot
echo "Cross-validation took $(( $(date +%s) - start )) s."

echo "== Held-out sets tests/nlu (reports/nlu-holdout)"
[ -f "$model" ] || { echo "No model at $model: run 'make train' first." >&2; exit 1; }
$rasa test nlu --model "$model" --nlu tests/nlu --out reports/nlu-holdout --no-plot

$python - "$min_f1" <<'PY'
import json
import sys
from pathlib import Path

min_f1 = float(sys.argv[1])
cv = json.loads(Path("reports/nlu-cv/intent_report.json").read_text(encoding="utf-8"))
holdout = json.loads(Path("reports/nlu-holdout/intent_report.json").read_text(encoding="utf-8"))
entities = Path("reports/nlu-holdout/CRFEntityExtractor_report.json")

macro_f1 = cv["macro avg"]["f1-score"]
print(f"Cross-validation: macro intent F1 {macro_f1:.3f} (minimum {min_f1:.2f}), "
      f"accuracy {cv['accuracy']:.3f}, {cv['macro avg']['support']} examples")
print(f"Held-out sets:    intent accuracy {holdout['accuracy']:.3f}, "
      f"macro intent F1 {holdout['macro avg']['f1-score']:.3f}, "
      f"{holdout['macro avg']['support']} examples")
if entities.exists():
    report = json.loads(entities.read_text(encoding="utf-8"))
    print(f"Held-out sets:    entity micro F1 {report['micro avg']['f1-score']:.3f}")
weakest = sorted(
    (scores["f1-score"], name)
    for name, scores in cv.items()
    if isinstance(scores, dict) and "support" in scores and not name.endswith(" avg")
)[:3]
print("Weakest intents (CV F1): " + ", ".join(f"{name} {f1:.3f}" for f1, name in weakest))
if macro_f1 < min_f1:
    sys.exit(f"Macro intent F1 {macro_f1:.3f} is under {min_f1:.2f}.")
PY
