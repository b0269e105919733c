#!/usr/bin/env bash
# Installs the pinned cfn-lint and checkov (versions.env) into .local/venv-checks, where
# infra/scripts/template-checks.ts finds them; does nothing when they are there already.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"

venv="$root/.local/venv-checks"
installed() { [[ $'\n'"$("$venv/bin/pip" show "$1" 2>/dev/null)"$'\n' == *$'\n'"Version: $2"$'\n'* ]]; }
installed cfn-lint "$CFN_LINT_VERSION" && installed checkov "$CHECKOV_VERSION" && exit 0
need_command python3 "install Python 3 (with its venv module: apt-get install -y python3-venv)"
python3 -m venv "$venv" 2>/dev/null ||
  fail "python3 could not create a virtual environment: install its venv module (apt-get install -y python3-venv)"
say "pip: cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION into ${venv#"$root"/}"
"$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION" \
  >"$root/.local/venv-checks.log" 2>&1 ||
  { tail -n 20 "$root/.local/venv-checks.log" >&2; fail "pip could not install the template checkers (log: .local/venv-checks.log)"; }
