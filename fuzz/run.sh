#!/bin/sh
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# Builds the fuzz targets with clang and libFuzzer (ASan+UBSan) in
# build/fuzz and runs each one for RUNS executions, one after the other,
# then prints a line of figures per target (see fuzz/README.md).
#
#	fuzz/run.sh [-n RUNS] [-t SECONDS] [target ...]	(default: all, 10^7)
#	fuzz/run.sh -m [target ...]	merge what the runs found into
#					fuzz/corpus/<target> (minimized)
set -eu
top=$(cd "${0%/*}/.." && pwd)
build=$top/build/fuzz
runs=10000000
max_time=0
merge=
while getopts mn:t: opt; do
	case $opt in
	m) merge=1 ;;
	n) runs=$OPTARG ;;
	t) max_time=$OPTARG ;;
	*) echo "usage: fuzz/run.sh [-m] [-n RUNS] [-t SECONDS] [target ...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=${*:-api conf ident keyline log nss termsafe}

command -v clang >/dev/null || {
	echo "fuzz/run.sh: clang missing (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1; }
if [ ! -f "$build/Makefile" ] || [ "$top/configure" -nt "$build/Makefile" ]; then
	mkdir -p "$build"
	(cd "$build" && "$top/configure" CC=clang --enable-fuzzing \
	    --enable-werror --prefix=/usr --sysconfdir=/etc \
	    --localstatedir=/var --libexecdir=/usr/libexec \
	    >configure.out 2>&1) || { tail -30 "$build/configure.out"; exit 1; }
fi
make -C "$build" -s -j2 fuzz-targets

for t in $targets; do
	bin=$build/fuzz/fuzz-$t
	work=$build/work/$t
	seeds=$top/fuzz/corpus/$t
	mkdir -p "$work" "$build/crashes"
	if [ -n "$merge" ]; then
		# keeps the committed seeds and adds what covers more
		"$bin" -merge=1 "$seeds" "$work" >"$build/merge-$t.log" 2>&1
		echo "$t: $(ls "$seeds" | wc -l) files in fuzz/corpus/$t"
		continue
	fi
	# fuzz-log: 1 KiB of values already fills a 2 KiB line when escaped
	case $t in log) max_len=1024 ;; *) max_len=2048 ;; esac
	start=$(date +%s)
	rc=0
	"$bin" -runs="$runs" -max_total_time="$max_time" -max_len="$max_len" \
	    -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
	    "$work" "$seeds" >"$build/run-$t.log" 2>&1 || rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$build/run-$t.log")
	echo "$t: rc=$rc executions=${execs:-?} seconds=$((end - start))" \
	    "corpus=$(ls "$work" | wc -l) files," \
	    "$(du -sk "$work" | cut -f1) KiB; log $build/run-$t.log"
done
