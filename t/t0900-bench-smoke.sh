#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='bench/run --smoke: every measurement still runs

The benchmark (bench/run) against direct ssh, ProxyJump and the naive
gate, with tiny sizes: it must finish, print its table and write its raw
numbers, with every metric row for all four paths, and leave no cgroup
behind. No timing is asserted: CI machines are not benchmark machines.'
. "${0%/*}/test-lib.sh"

test_lazy_prereq BENCH 'test -x "$SRCDIR/bench/run"'
test_require_prereq BENCH,GATE_SHELL,SFTP_RELAY
sg_watchdog 600

# Every row of the main table, by id, as report.py names them.
cat >rows.expect <<\EOF
login
login_gate_cpu
up_default
down_default
up_aes128-gcm
down_aes128-gcm
sftp_put
sftp_get
gate_cpu_gib_up_default
gate_cpu_gib_down_default
gate_cpu_gib_up_aes128-gcm
gate_cpu_gib_down_aes128-gcm
gate_cpu_gib_sftp_put
gate_cpu_gib_sftp_get
mem_pss
mem_uss
par_wall
par_failures
akc_miss_p50
akc_miss_p95
akc_hit_p50
akc_hit_p95
revoke
EOF

test_expect_success 'bench/run --smoke finishes and prints the table' '
	{
		SSHGATE_BUILD=$BUILD "$SRCDIR/bench/run" --smoke --out "$TRASH/out" \
			>stdout 2>stderr || {
			tail -n 40 stderr out/errors.log
			false
		}
	} &&
	grep "^| metric | direct | ProxyJump | naive gate | sshgate |" stdout &&
	test_path_is_file out/table.md &&
	test_path_is_file out/results.json &&
	test_path_is_file out/samples.csv &&
	head -n 1 out/samples.csv >header &&
	echo "metric,path,round,value,unit" >expect &&
	test_cmp expect header
'

test_expect_success 'results.json: every row, a value or a reason for all four paths' '
	python3 - out/results.json >rows.actual <<-\EOF
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert r["mode"] == "smoke", r["mode"]
	assert r["paths"] == ["direct", "proxyjump", "naive", "sshgate"]
	bad = []
	for row in r["rows"]:
	    print(row["id"])
	    for p in r["paths"]:
	        text, value = row["text"].get(p), row["values"].get(p)
	        if p in row["not_applicable"]:
	            if text != "\u2014":
	                bad.append("%s %s: %r, not n/a" % (row["id"], p, text))
	        elif row["id"] == "revoke" and p != "sshgate":
	            # the anchors have no live revocation: "never (> N s)"
	            if not (text or "").startswith("never"):
	                bad.append("%s %s: %r" % (row["id"], p, text))
	        elif not isinstance(value, (int, float)):
	            bad.append("%s %s: no value (%r)" % (row["id"], p, text))
	for b in bad:
	    print("error:", b, file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
	test_cmp rows.expect rows.actual
'

test_expect_success 'table.md: one line of eight cells for every row' '
	for id in $(cat rows.expect)
	do
		label=$(python3 -c "import json,sys; print(next(r[\"label\"] for r in json.load(open(\"out/results.json\"))[\"rows\"] if r[\"id\"] == sys.argv[1]))" "$id") &&
		grep -F "| $label |" out/table.md >line &&
		test_line_count = 1 line &&
		test "$(tr -cd "|" <line | wc -c)" = 9 || return 1
	done
'

test_expect_success 'the raw samples hold every path, and no run failed' '
	for p in direct proxyjump naive sshgate
	do
		grep -q "^login_wall_s,$p," out/samples.csv &&
		grep -q "^up_default_wall_s,$p," out/samples.csv &&
		grep -q "^sftp_get_wall_s,$p," out/samples.csv &&
		grep -q "^par_wall_s,$p," out/samples.csv || return 1
	done &&
	! grep "_failed," out/samples.csv
'

test_expect_success 'nothing is left: no cgroup of the run, no bench daemon' '
	python3 -c "import json; s = json.load(open(\"out/results.json\"))[\"settings\"]; print(s[\"accounting\"], s[\"cgroup_root\"])" >acct &&
	read -r kind cg <acct &&
	case $kind:$cg in
	v[12]:/sys/fs/cgroup/*sshgate-bench.*)	;;
	proc:"$TRASH/out/.run/accounting")	;;
	*)	echo "odd accounting: $kind $cg"; false ;;
	esac &&
	test_path_is_missing "$cg" &&
	test_path_is_missing out/.run &&
	test -z "$(pgrep -f "$TRASH/out/")"
'

# Where no cgroup can be made (a container with a read-only
# /sys/fs/cgroup), bench/run reads CPU from /proc instead; force that.
test_expect_success 'without cgroups: CPU per login and memory from /proc' '
	{
		BENCH_ACCOUNTING=proc BENCH_STEPS="login memory" SSHGATE_BUILD=$BUILD \
			"$SRCDIR/bench/run" --smoke --out "$TRASH/proc" \
			>proc.stdout 2>proc.stderr || {
			tail -n 40 proc.stderr proc/errors.log
			false
		}
	} &&
	python3 - proc/results.json <<-\EOF &&
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert r["settings"]["accounting"] == "proc", r["settings"]
	rows = {row["id"]: row for row in r["rows"]}
	for p in ("proxyjump", "naive", "sshgate"):
	    for rid in ("login_gate_cpu", "mem_pss"):
	        v = rows[rid]["values"].get(p)
	        assert isinstance(v, (int, float)) and v > 0, (rid, p, v)
	EOF
	grep "CPU accounting: /proc process trees" proc/table.md &&
	test_path_is_missing proc/.run
'

test_done
