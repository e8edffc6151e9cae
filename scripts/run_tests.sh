#!/usr/bin/env bash
# Runs every check and test suite, four jobs side by side: most suites spend much of their
# time waiting (for Rasa to load its model, for an answer, for a process to come back), which
# leaves cores idle when they run one after the other. Each job writes its log to
# reports/test-logs/; the logs are printed whole, in a fixed order, as soon as a job and the
# jobs before it are done (the last one while it is written), then how long each job took.
# Any failing job fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
LOGS=reports/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

names=()
titles=()
pids=()
begin=$(date +%s)

# job NAME COMMAND...: runs COMMAND, its output in $LOGS/NAME.log, its exit status and wall
# time in $LOGS/NAME.status.
job() {
  local name=$1 start status
  shift
  start=$(date +%s)
  "$@" >"$LOGS/$name.log" 2>&1 </dev/null
  status=$?
  echo "$status $(($(date +%s) - start))" >"$LOGS/$name.status"
}
# declare_job NAME TITLE PID: the logs are printed in the order of the declarations.
declare_job() {
  names+=("$1")
  titles+=("$2")
  pids+=("$3")
}

APP_PYTEST=(.venv/bin/python -m pytest)
# The app-env suites run in three sessions side by side: the API tests, the suites on the
# local stack and those on the production topology (each stack boots as its session starts).
# A new folder of tests/ lands in the first one.
STACK_SUITES=()
for suite in tests/e2e tests/browser; do
  [ -d "$suite" ] && STACK_SUITES+=("$suite")
done
IGNORED=(--ignore=tests/actions --ignore=tests/prod)
for suite in "${STACK_SUITES[@]}"; do
  IGNORED+=("--ignore=$suite")
done

echo "== Running the checks and test suites side by side; each log is printed once its job is done"
# Each background job in a process group of its own (job control on while they start), so
# that an interruption (Ctrl-C) reaches this script only, which hands it to every job: the
# pytest sessions then stop the stacks they started.
set -m
# The bot env's jobs one after the other: each loads Rasa (a gigabyte and more of memory).
(
  job checks make --no-print-directory lint validate bot-validate
  if compgen -G "tests/stories/*.yml" >/dev/null; then
    job stories .venv-bot/bin/rasa test core --model models/lot-assistant.tar.gz \
      --stories tests/stories --out reports/rasa-test --fail-on-prediction-errors
  else
    echo "No conversation tests (tests/stories/)." >"$LOGS/stories.log"
    echo "0 0" >"$LOGS/stories.status"
  fi
  job actions .venv-bot/bin/python -m pytest -q -p no:cacheprovider tests/actions
) &
declare_job checks "Lint, mypy, knowledge and bot data checks" $!
declare_job stories "Conversation tests (rasa test)" $!
declare_job actions "Action tests (bot env)" $!
job api "${APP_PYTEST[@]}" "${IGNORED[@]}" &
declare_job api "API tests (app env)" $!
job stack "${APP_PYTEST[@]}" "${STACK_SUITES[@]}" &
declare_job stack "End-to-end and browser tests (app env, local stack)" $!
job prod "${APP_PYTEST[@]}" tests/prod &
declare_job prod "Production-topology tests (app env)" $!
set +m

interrupt() {
  for pid in "${pids[@]}"; do
    kill -INT -- "-$pid" 2>/dev/null
  done
}
trap interrupt INT TERM

last=$((${#names[@]} - 1))
for i in "${!names[@]}"; do
  echo
  echo "== ${titles[$i]}"
  if [ "$i" -eq "$last" ]; then
    # The last log is followed as it is written; it ends with pytest's summary.
    tail -n +1 --pid="${pids[$i]}" -f "$LOGS/${names[$i]}.log"
  else
    while [ ! -f "$LOGS/${names[$i]}.status" ] && kill -0 "${pids[$i]}" 2>/dev/null; do
      sleep 1
    done
    cat "$LOGS/${names[$i]}.log" 2>/dev/null
  fi
done
wait

echo
echo "== Wall time of each job (the whole run: $(($(date +%s) - begin)) s)"
failed=()
for i in "${!names[@]}"; do
  read -r status seconds <"$LOGS/${names[$i]}.status" || status=1 seconds="?"
  if [ "$status" -eq 0 ]; then result=passed; else result="FAILED (exit $status)"; failed+=("${titles[$i]}"); fi
  printf '  %-55s %5s s  %s\n' "${titles[$i]}" "$seconds" "$result"
done
# The pytest sessions' counts, added up, on the closing line.
tally() { for name in "${names[@]}"; do tail -n 1 "$LOGS/$name.log"; done; }
passed=$(tally | grep -oE "[0-9]+ passed" | awk '{n += $1} END {print n + 0}')
failures=$(tally | grep -oE "[0-9]+ (failed|errors?)" | awk '{n += $1} END {print n + 0}')
skipped=$(tally | grep -oE "[0-9]+ skipped" | awk '{n += $1} END {print n + 0}')
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
fi
echo "pytest: $passed passed, $failures failed, $skipped skipped"
[ "${#failed[@]}" -eq 0 ]
