#!/usr/bin/env bash
# The test suite behind `make test`: lint, sanity, unit tests and the
# Molecule scenarios. Usage: test.sh [lint|sanity|unit|molecule [SCENARIO...]]
# With no argument every stage runs; the first failing stage stops the run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/env.sh
source "$top/scripts/env.sh"
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks

stage() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
# Prefix each line with the time; molecule's "[scenario > stage] Executed"
# lines then give each stage's duration.
stamp() { while IFS= read -r line; do printf '%(%H:%M:%S)T %s\n' -1 "$line"; done; }

run_lint() {
  stage "ansible-lint (profile production)"
  ansible-lint --offline -f pep8 --nocolor
  stage "yamllint"
  yamllint -s .
}

run_sanity() {
  stage "ansible-test sanity"
  # ansible-test needs the collection under ansible_collections/NS/NAME.
  local work
  work=$(mktemp -d /var/tmp/tdah-sanity.XXXXXX)
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/ansible_collections/tdah"
  # ansible-test fetches a pip bootstrap script from a host closed networks
  # cannot reach; give it one that uses ensurepip and the package index.
  local pipv
  pipv=$(python3 -c 'from ansible_test._internal.python_requirements import PIP_VERSION as v; print(v)' 2>/dev/null || echo 24.2)
  mkdir -p ~/.ansible/test/cache
  cp scripts/get_pip_bootstrap.py ~/.ansible/test/cache/"get_pip_${pipv//./_}.py"
  git ls-files -z | rsync -a --from0 --files-from=- ./ "$work/ansible_collections/tdah/platform/"
  (cd "$work/ansible_collections/tdah/platform" && git init -q && git add -A \
    && ansible-test sanity --color no --python "$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')" \
         --requirements)
}

run_unit() {
  stage "unit tests (pytest)"
  local rc=0
  python3 -m pytest -q -n 2 -p no:cacheprovider tests/unit || rc=$?
  # The reference application's own tests (its pure parts and its ASGI app
  # with stand-ins; the platform scenario runs it against the real services).
  [ "$rc" -ne 0 ] || python3 -m pytest -q -p no:cacheprovider apps/reference/tests || rc=$?
  # pytest exit 5 means no test ran: that is a failure here.
  if [ "$rc" -ne 0 ]; then
    echo "pytest failed (exit $rc)" >&2
    return 1
  fi
}

run_molecule() {
  local scenarios=("$@")
  if [ "${#scenarios[@]}" -eq 0 ]; then
    mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -n1 basename | sort)
  fi
  [ "${#scenarios[@]}" -gt 0 ] || { echo "no Molecule scenario found" >&2; return 1; }
  for s in "${scenarios[@]}"; do
    stage "molecule test -s $s"
    local start=$SECONDS
    # Each line gets the time, so the stages' durations can be read off the log.
    local log
    log=$(mktemp /var/tmp/tdah-molecule-"$s".XXXXXX)
    if ! molecule test -s "$s" 2>&1 | stamp | tee "$log"; then
      # The destroy stage's output buries the failure; repeat the failed
      # tasks (each after its TASK line) at the end, where a short tail shows them.
      echo "==> molecule scenario $s failed after $((SECONDS - start)) s; its failed tasks:"
      grep -E 'TASK \[|fatal: \[|failed: \[|FAILED!|^[0-9:]+ +[A-Z]+ .*(Failed|failed)' "$log" \
        | grep -B1 -E 'fatal: \[|failed: \[|FAILED!' | grep -v -- '^--$' | cut -c1-900 | tail -n 14
      echo "(full log: $log)"
      return 1
    fi
    rm -f "$log"
    echo "molecule scenario $s passed in $((SECONDS - start)) s"
  done
}

what=${1:-all}
[ $# -gt 0 ] && shift
case "$what" in
  lint) run_lint ;;
  sanity) run_sanity ;;
  unit) run_unit ;;
  molecule) run_molecule "$@" ;;
  all) run_lint; run_sanity; run_unit; run_molecule ;;
  *) echo "usage: $0 [lint|sanity|unit|molecule [SCENARIO...]]" >&2; exit 2 ;;
esac
stage "done: $what"
