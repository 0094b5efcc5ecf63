#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: the tools people run over ssh, through the gate

rsync both ways, git clone and push, scp -O (the legacy protocol: an exec
of scp -t/-f) both ways, lftp over fish:// (an exec of a shell that reads
its commands from stdin) and a Capistrano-like run of 50 short commands
over one multiplexed connection. Every result is compared byte for byte
with the container side (its home is on the test host).'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
sg_watchdog 240

# The login for every tool: node 1234 of account 5678 (container 1). The
# loops bound each client with timeout: one stuck session must fail its
# test, not hang the script.
remote=1234-5678@127.0.0.1

# accepted_at_gate: how many connections the gate has authenticated
accepted_at_gate() {
	grep -c "Accepted publickey for 1234-5678 " "$TRASH/gate/sshd.log" || :
}

test_expect_success 'set up: API, node 1234 on container 1, the gate, a tree of files' '
	sg_fixture_gate &&
	alice=$SG_KEY_ID &&
	ssh_cmd=$TRASH/bin/ssh-alice &&
	home=$SG_RUN/home/ct1 &&
	mkdir -p src/sub/deeper src/empty-dir &&
	head -c 5000000 /dev/urandom >src/blob &&
	head -c 3000 /dev/urandom >src/sub/small &&
	: >src/empty &&
	echo "spaces and é" >"src/sub/name with spaces é" &&
	printf "#!/bin/sh\necho run\n" >src/sub/deeper/script &&
	chmod 0755 src/sub/deeper/script &&
	ln -s sub/small src/link
'

test_expect_success 'rsync to the container: the same tree arrives' '
	rsync -a -e "$ssh_cmd" src/ "$remote:dst/" &&
	diff -r src "$home/dst" &&
	test -L "$home/dst/link" &&
	test "$(readlink "$home/dst/link")" = sub/small &&
	test -x "$home/dst/sub/deeper/script" &&
	test -d "$home/dst/empty-dir"
'

test_expect_success 'rsync to the container again: only the change moves, the result is the same' '
	echo changed >>src/sub/small &&
	rsync -a -i -e "$ssh_cmd" src/ "$remote:dst/" >itemized &&
	grep "sub/small" itemized &&
	! grep "blob" itemized &&
	diff -r src "$home/dst"
'

test_expect_success 'rsync from the container: what changed there comes back' '
	sg_ssh_gate alice 1234-5678 \
		"echo remote-edit >dst/sub/small && mkdir dst/new && head -c 2000000 /dev/urandom >dst/new/blob2 && rm dst/empty" &&
	rsync -a --delete -e "$ssh_cmd" "$remote:dst/" back/ &&
	diff -r "$home/dst" back &&
	test_path_is_missing back/empty &&
	cmp "$home/dst/new/blob2" back/new/blob2
'

test_expect_success 'git: push to a bare repository in the container' '
	sg_ssh_gate alice 1234-5678 "git init -q --bare -b main repo.git" &&
	git init -q -b main work &&
	cp -R src/. work/ &&
	git -C work add -A &&
	git -C work -c user.name=A -c user.email=a@example.com commit -q -m one &&
	GIT_SSH_COMMAND="$ssh_cmd" git -C work push -q "$remote:repo.git" main &&
	git -C work rev-parse HEAD >expect &&
	git -c safe.directory="*" --git-dir="$home/repo.git" rev-parse main >actual &&
	test_cmp expect actual
'

test_expect_success 'git: clone from the container, the same commit and files' '
	GIT_SSH_COMMAND="$ssh_cmd" git clone -q "$remote:repo.git" clone &&
	git -C clone rev-parse HEAD >actual &&
	test_cmp expect actual &&
	git -C clone fsck --strict &&
	cmp work/blob clone/blob &&
	cmp "work/sub/name with spaces é" "clone/sub/name with spaces é"
'

test_expect_success 'git: push from the clone, fetch into the first repository' '
	head -c 2000000 /dev/urandom >clone/blob3 &&
	git -C clone add blob3 &&
	git -C clone -c user.name=B -c user.email=b@example.com commit -q -m two &&
	GIT_SSH_COMMAND="$ssh_cmd" git -C clone push -q origin main &&
	GIT_SSH_COMMAND="$ssh_cmd" git -C work pull -q --ff-only "$remote:repo.git" main &&
	git -C clone rev-parse HEAD >expect &&
	git -C work rev-parse HEAD >actual &&
	test_cmp expect actual &&
	cmp clone/blob3 work/blob3
'

test_expect_success 'git: a push the container refuses fails, with the reason' '
	test_must_fail env GIT_SSH_COMMAND="$ssh_cmd" \
		git -C work push -q "$remote:no-such-repo.git" main 2>err &&
	grep -i "no-such-repo.git" err
'

test_expect_success 'scp -O to the container: a file and a tree' '
	scp -O -q -S "$ssh_cmd" src/blob "$remote:scp-blob" &&
	cmp src/blob "$home/scp-blob" &&
	scp -O -q -r -S "$ssh_cmd" src "$remote:scp-tree" &&
	diff -r src/sub "$home/scp-tree/sub"
'

test_expect_success 'scp -O from the container: a file and a tree' '
	scp -O -q -S "$ssh_cmd" "$remote:scp-blob" scp-back &&
	cmp src/blob scp-back &&
	scp -O -q -r -S "$ssh_cmd" "$remote:scp-tree" scp-tree-back &&
	diff -r "$home/scp-tree/sub" scp-tree-back/sub
'

test_expect_success 'scp -O of a file the container does not have: scp fails with the reason' '
	test_must_fail scp -O -q -S "$ssh_cmd" "$remote:no-such-file" x 2>err &&
	grep "no-such-file" err &&
	test_path_is_missing x
'

# lftp runs "CONNECT-PROGRAM [-p PORT] -l USER HOST 'echo FISH:;SHELL'"
# and speaks FISH to that shell over its stdin and stdout. The empty
# password (-u USER,) keeps it from asking for one, which without a
# terminal would make it log in as anonymous.
lftp_fish() {
	lftp -c "set fish:connect-program '$ssh_cmd -a -x'; set fish:shell /bin/bash;
		set net:max-retries 1; set net:timeout 15; set cmd:fail-exit yes;
		open -u 1234-5678, fish://127.0.0.1:2222; $1"
}

test_expect_success 'lftp fish://: put, ls, get' '
	lftp_fish "mkdir fish; cd fish; put src/blob -o blob; put src/sub/small -o small; cls -1; get blob -o fish-back; get small -o fish-small" >ls.out &&
	cmp src/blob "$home/fish/blob" &&
	cmp src/sub/small "$home/fish/small" &&
	printf "blob\nsmall\n" >expect &&
	sort ls.out >actual &&
	test_cmp expect actual &&
	cmp src/blob fish-back &&
	cmp src/sub/small fish-small
'

test_expect_success 'Capistrano-like: 50 commands over one multiplexed connection, each with its own status' '
	mux="-o ControlMaster=auto -o ControlPath=$TRASH/cm-%r -o ControlPersist=30" &&
	test_when_finished "\"\$ssh_cmd\" $mux -O exit $remote 2>/dev/null" &&
	before=$(accepted_at_gate) &&
	i=1 &&
	while test $i -le 50
	do
		timeout 20 "$ssh_cmd" $mux $remote \
			"cd dst && echo step-$i && exit $((i % 6))" >out 2>err
		code=$?
		echo "step-$i" >expect &&
		test_cmp expect out &&
		test $code = $((i % 6)) ||
			{ echo "step $i: exit status $code"; return 1; }
		i=$((i + 1))
	done &&
	"$ssh_cmd" $mux -O check $remote &&
	test $(( $(accepted_at_gate) - before )) = 1
'

test_expect_success 'Capistrano-like: eight commands at once over the multiplexed connection' '
	mux="-o ControlMaster=auto -o ControlPath=$TRASH/cm-%r -o ControlPersist=30" &&
	test_when_finished "\"\$ssh_cmd\" $mux -O exit $remote 2>/dev/null" &&
	"$ssh_cmd" $mux $remote true &&
	pids= &&
	for i in 1 2 3 4 5 6 7 8
	do
		(
			timeout 20 "$ssh_cmd" $mux $remote "sleep 1; echo par-$i; exit $i" \
				>par-$i.out
			echo $? >par-$i.rc
		) &
		pids="$pids $!"
	done &&
	wait $pids &&
	for i in 1 2 3 4 5 6 7 8
	do
		echo "par-$i" >expect &&
		test_cmp expect par-$i.out &&
		echo $i >expect &&
		test_cmp expect par-$i.rc || return 1
	done
'

test_done
