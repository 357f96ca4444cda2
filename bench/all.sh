#!/usr/bin/env bash
# Every benchmark in turn, each beside its baseline, on one worker; ~18 minutes on 2 cores.
#   bash bench/all.sh 2>&1 | tee bench-results.txt
# Run it on a quiet machine: the figures are CPU-bound and shared cores halve them.
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
run() { echo; echo "### $*  (load: $(cut -d' ' -f1-3 /proc/loadavg))"; "$@" 2>&1 | grep -v -e RuntimeDirWarning -e user_runtime_dir; }
run $py -m bench.http --seconds 8
run $py -m bench.feed --seconds 8
run $py -m bench.personal_feed
run $py -m bench.leaderboard --members 1000000 --seconds 8
run $py -m bench.award --seconds 8
run $py -m bench.minigame
run $py -m bench.coupons
run $py -m bench.track --seconds 6 --raw-seconds 3
run $py -m bench.metrics --calls 20
run $py -m bench.fanout --clients 1000 --rate 5 --seconds 8
run $py -m bench.fanout --clients 5000 --rate 2 --seconds 8
run bash bench/audit_graphql_http.sh
