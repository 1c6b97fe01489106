#!/usr/bin/env bash
# Runs a command at the lowest CPU priority, so that it only uses what the rest of the machine leaves idle.
# It runs in a session of its own whose scheduling autogroup is niced as well: with the kernel's autogroup
# scheduling (on in most distributions), nice alone ranks a process only within its own session and would
# not yield to the processes of other sessions, such as the e2e cluster's.
# Usage: hack/low-priority.sh <command> [args...]
set -euo pipefail
exec setsid --wait bash -c 'echo 19 > /proc/self/autogroup 2>/dev/null || true; exec nice -n 19 "$@"' low-priority "$@"
