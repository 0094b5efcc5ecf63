#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='libnss_sshgate.so.2 maps gate logins to the service account'
. "${0%/*}/test-lib.sh"

MODULE=$BUILD/nss/.libs/libnss_sshgate.so.2
PROBE=$BUILD/t/helpers/nss-probe
HOME_DIR=/var/lib/sshgate/empty

# Only /etc is private to the test: the module must be built for
# configure --sysconfdir=/etc.
test_lazy_prereq NSS_PROBE 'test -x "$PROBE"'
test_lazy_prereq NSS_CONF_IN_ETC '
	case $("$PROBE" conffile) in
	/etc/*)	;;
	*)	false ;;
	esac
'
test_require_prereq NSS_MODULE,NSS_PROBE,NSS_CONF_IN_ETC
NSSCONF=$("$PROBE" conffile)

# getent through the module as sshd would reach it. getent looks an
# all-digit key up by uid, so account logins ("5678") go through pwnam.
nss_getent() {
	LD_LIBRARY_PATH=$BUILD/nss/.libs getent passwd -- "$@"
}

# pwnam NAME: getpwnam(3) of the name as it is, printed as a passwd line;
# exit 2 when not found, like getent.
pwnam() {
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/bin/python3 -c '
import pwd, sys
try:
	p = pwd.getpwnam(sys.argv[1])
except (KeyError, ValueError):
	sys.exit(2)
print("%s:%s:%d:%d:%s:%s:%s" % tuple(p))
' "$1"
}

# probe NAME BUFSIZE: the module's getpwnam_r called directly.
probe() {
	"$PROBE" "$MODULE" getpwnam "$1" "$2"
}

# in_sshd PROGRAM [ARG...]: PROGRAM run as /usr/sbin/sshd, bind-mounted
# over it in this script's mount namespace: ACCOUNT logins ("5678") are
# answered only inside sshd's own programs.
in_sshd() {
	local prog=$1 ret
	shift
	mount --bind "$prog" /usr/sbin/sshd || return
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/sbin/sshd "$@"
	ret=$?
	umount /usr/sbin/sshd || return
	return $ret
}

# probe_sshd NAME BUFSIZE: probe, from inside "sshd".
probe_sshd() {
	in_sshd "$PROBE" "$MODULE" getpwnam "$1" "$2"
}

# What numbers mean to the programs that take "a user name or a uid":
# owners set with chown and install -o, id, getent, find -user, runuser.
numbers_report() {
	rm -rf num && mkdir num && touch num/a num/b num/src &&
	chown 4321 num/a num/b &&
	chown 0 num/a && chown 1000 num/b &&
	install -o 0 -m 0644 num/src num/dst &&
	stat -c "%n %u" num/a num/b num/dst &&
	{ id 0; echo "id: $?"; } &&
	{ id -u 0; echo "id -u: $?"; } &&
	{ getent passwd 0; echo "getent: $?"; } &&
	{ find num -user 0 | sort; echo "find: $?"; } &&
	{ runuser -u 0 -- id -u; echo "runuser: $?"; }
}

write_conf() {
	rm -f "$NSSCONF" &&
	printf "$@" >"$NSSCONF" &&
	chown root:root "$NSSCONF" &&
	chmod 0644 "$NSSCONF"
}

good_conf() {
	write_conf 'Uid %s\nGid %s\n' "$SG_UID" "$SG_GID"
}

# expect_unknown NAME: not ours; the module answers NOTFOUND.
expect_unknown() {
	test_expect_code 2 pwnam "$1" >out &&
	test_must_be_empty out &&
	probe "$1" 1024 >out &&
	echo 'NOTFOUND ENOENT' >expect &&
	test_cmp expect out
}

# expect_unavail: a gate login finds nothing while nss.conf is bad.
expect_unavail() {
	probe 1234-5678 1024 >out &&
	echo 'UNAVAIL ENOENT' >expect &&
	test_cmp expect out &&
	test_expect_code 2 nss_getent 1234-5678 >out &&
	test_must_be_empty out &&
	probe_sshd 5678 1024 >out &&
	echo "UNAVAIL ENOENT" >expect &&
	test_cmp expect out
}

test_must_be_empty() {
	test -s "$1" || return 0
	echo "error: '$1' is not empty:" >&2
	cat "$1" >&2
	return 1
}

test_expect_success 'setup: service account, nss.conf, nsswitch.conf' '
	# the default Shell: gate-shell where "make install" puts it
	DEFAULT_SHELL=$(strings -n 8 "$MODULE" | grep -x "/.*/gate-shell") &&
	sg_users_setup &&
	install -d -o root -g root -m 0755 "${NSSCONF%/*}" &&
	good_conf &&
	sed -i -E "s/^passwd:.*/passwd: files sshgate/" /etc/nsswitch.conf &&
	grep -x "passwd: files sshgate" /etc/nsswitch.conf
'

test_expect_success 'the module exports only the _nss_sshgate_ entry points' '
	nm -D --defined-only "$MODULE" | awk "\$2 != \"A\" { print \$3 }" |
		sed "s/@.*//" | sort >out &&
	cat >expect <<-\EOF &&
	_nss_sshgate_endpwent
	_nss_sshgate_getpwent_r
	_nss_sshgate_getpwnam_r
	_nss_sshgate_getpwuid_r
	_nss_sshgate_setpwent
	EOF
	test_cmp expect out
'

test_expect_success 'the module needs nothing but libc and no sanitizer' '
	readelf -d "$MODULE" | sed -n "s/.*(NEEDED).*\[\(.*\)\]/\1/p" >out &&
	echo libc.so.6 >expect &&
	test_cmp expect out &&
	! nm -D "$MODULE" | grep -E "__(a|ub|l)san" &&
	readelf -d "$MODULE" | grep -q "SONAME.*\[libnss_sshgate\.so\.2\]"
'

test_expect_success 'a node login resolves to the service account' '
	nss_getent 1234-5678 >out &&
	echo "1234-5678:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL" >expect &&
	test_cmp expect out
'

test_expect_success 'sshd resolves an account login to the service account' '
	probe_sshd 5678 1024 >out &&
	{ echo "SUCCESS -" &&
	  echo "5678:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL"; } >expect &&
	test_cmp expect out &&
	test "$(in_sshd /usr/bin/id -u 5678)" = "$SG_UID"
'

test_expect_success 'an account login is not a user outside sshd' '
	probe 5678 1024 >out &&
	echo "NOTFOUND ENOENT" >expect &&
	test_cmp expect out &&
	test_expect_code 2 pwnam 5678 >out &&
	test_must_be_empty out &&
	test_expect_code 2 pwnam 1234567890 >out &&
	test_must_be_empty out
'

test_expect_success 'naming a program sshd does not make it sshd' '
	cp "$PROBE" ./sshd &&
	./sshd "$MODULE" getpwnam 5678 1024 >out &&
	echo "NOTFOUND ENOENT" >expect &&
	test_cmp expect out &&
	(exec -a sshd "$PROBE" "$MODULE" getpwnam 5678 1024) >out &&
	test_cmp expect out &&
	(exec -a /usr/sbin/sshd "$PROBE" "$MODULE" getpwnam 5678 1024) >out &&
	test_cmp expect out
'

test_expect_success 'numbers keep meaning uids with the module on the passwd line' '
	grep -x "passwd: files sshgate" /etc/nsswitch.conf &&
	numbers_report >without 2>&1 &&
	grep -x "num/a 0" without &&
	grep -x "num/b 1000" without &&
	grep -x "num/dst 0" without &&
	grep "^uid=0(root) " without &&
	grep "^root:x:0:0:" without &&
	(export LD_LIBRARY_PATH=$BUILD/nss/.libs && numbers_report) \
		>with 2>&1 &&
	test_cmp without with
'

test_expect_success 'the module alone (getent -s) answers the same' '
	LD_LIBRARY_PATH=$BUILD/nss/.libs getent -s passwd:sshgate passwd \
		1234-5678 >out &&
	echo "1234-5678:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL" >expect &&
	test_cmp expect out
'

test_expect_success 'the longest logins resolve' '
	probe_sshd 1234567890 1024 >out &&
	{ echo "SUCCESS -" &&
	  echo "1234567890:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL"; } >expect &&
	test_cmp expect out &&
	nss_getent 1234567890-0987654321 >out &&
	echo "1234567890-0987654321:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL" \
		>expect &&
	test_cmp expect out
'

test_expect_success 'id shows the service account for a gate login' '
	LD_LIBRARY_PATH=$BUILD/nss/.libs id 1234-5678 >out &&
	grep "^uid=$SG_UID(sshgate) gid=$SG_GID(sshgate) " out
'

test_expect_success 'names outside the login grammar are not found' '
	long=$(printf "%010000d" 0) &&
	longa=$(printf "%10000s" "" | tr " " a) &&
	tab=$(printf "1234\t5678") &&
	nl=$(printf "1234\n5678") &&
	trailnl=$(printf "1234-5678\nx") && trailnl=${trailnl%x} &&
	cr=$(printf "1234-5678\r") &&
	esc=$(printf "\033[31m1234") &&
	latin1=$(printf "1234\3115678") &&
	for name in \
		"" 12345678901 12345678901-1 1-12345678901 \
		00000000000 -1234 1234- -1234-5678 1234-5678- 1234--5678 \
		1-2-3 - -- 1234-5678-9 +1234 1234+ 0x10 1e3 \
		A ABC 1234-5678A 1234-5678a a1234 SSHGATE Root \
		"١٢٣٤" "١٢٣٤-٥٦٧٨" "１２３４" "1234-５６７８" "²" \
		1234/5678 /1234 1234/ 1234:5678 1234-5678: .. ../1234 \
		1234-5678/.. . "1234 5678" " 1234" "1234 " "1234-5678 " \
		"$tab" "$nl" "$trailnl" "$cr" "$esc" "$latin1" \
		"$long" "$long-1" "1-$long" "$longa" "*" "1234*" "12?4"
	do
		expect_unknown "$name" || {
			echo "error: name \"$name\" was not refused" >&2
			return 1
		}
	done
'

test_expect_success 'hostile names give nothing through getent either' '
	long=$(printf "%010000d" 0) &&
	for name in 1234--5678 -1234-5678 1234-5678- 12345678901-1 \
		"١٢٣٤-٥٦٧٨" 1234/5678 1234:5678 ../1234 "1234-5678 " \
		"$(printf "12\t34-5")" "$long-1" "x$long"
	do
		test_expect_code 2 nss_getent "$name" >out &&
		test_must_be_empty out || return 1
	done
'

test_expect_success 'a name that files knows is answered by files' '
	nss_getent root >out &&
	grep "^root:x:0:0:" out &&
	echo "4242:x:4242:4242:local digits:/nonexistent:/usr/sbin/nologin" \
		>>/etc/passwd &&
	pwnam 4242 >out &&
	echo "4242:x:4242:4242:local digits:/nonexistent:/usr/sbin/nologin" \
		>expect &&
	test_cmp expect out
'

test_expect_success 'an unprivileged process resolves gate logins too' '
	test_when_finished "chmod 0755 \"\${NSSCONF%/*}\"" &&
	chmod 0711 "${NSSCONF%/*}" &&
	setpriv --reuid=sshgate --regid=sshgate --clear-groups \
		"$PROBE" "$MODULE" getpwnam 1234-5678 1024 >out &&
	{ echo "SUCCESS -" &&
	  echo "1234-5678:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL"; } >expect &&
	test_cmp expect out
'

test_expect_success 'uid lookups and enumeration return nothing' '
	"$PROBE" "$MODULE" getpwuid "$SG_UID" 1024 >out &&
	echo "NOTFOUND ENOENT" >expect &&
	test_cmp expect out &&
	"$PROBE" "$MODULE" getpwent 1024 >out &&
	test_cmp expect out &&
	LD_LIBRARY_PATH=$BUILD/nss/.libs getent passwd >out &&
	! grep "^[0-9-]*:\*:$SG_UID:" out &&
	LD_LIBRARY_PATH=$BUILD/nss/.libs getent passwd "$SG_UID" >out &&
	grep "^sshgate:" out
'

# 1234-5678 + "*" + "" + home + shell, each with its NUL.
test_expect_success 'every buffer size: ERANGE below the need, the entry from it' '
	need=$((9 + 1 + 2 + 1 + ${#HOME_DIR} + 1 + ${#DEFAULT_SHELL} + 1)) &&
	echo "1234-5678:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL" >entry &&
	echo "TRYAGAIN ERANGE" >erange &&
	{ echo "SUCCESS -" && cat entry; } >success &&
	probe 1234-5678 0 >out &&
	test_cmp erange out &&
	size=1 &&
	while test $size -le $((need + 64))
	do
		probe 1234-5678 $size >out || return 1
		if test $size -lt $need
		then
			test_cmp erange out || return 1
		else
			test_cmp success out || return 1
		fi
		size=$((size + 1))
	done &&
	probe 1234-5678 1048576 >out &&
	test_cmp success out
'

test_expect_success 'every buffer size, with the longest login and a long home' '
	home=/run/sshgate-test/$(printf "%0200d" 0) &&
	test_when_finished good_conf &&
	write_conf "uid %s\ngid %s\nhome %s\nshell /bin/dash\n" \
		"$SG_UID" "$SG_GID" "$home" &&
	login=1234567890-0987654321 &&
	need=$((${#login} + 1 + 2 + 1 + ${#home} + 1 + 10)) &&
	{ echo "SUCCESS -" &&
	  echo "$login:*:$SG_UID:$SG_GID::$home:/bin/dash"; } >success &&
	echo "TRYAGAIN ERANGE" >erange &&
	size=1 &&
	while test $size -le $((need + 8))
	do
		probe $login $size >out || return 1
		if test $size -lt $need
		then
			test_cmp erange out || return 1
		else
			test_cmp success out || return 1
		fi
		size=$((size + 1))
	done
'

# Only the module on the passwd line: files has ERANGE of its own for
# buffers shorter than its longest line.
test_expect_success 'glibc passes ERANGE on to the caller of getpwnam_r' '
	cp /etc/nsswitch.conf nsswitch.conf.saved &&
	test_when_finished "cp nsswitch.conf.saved /etc/nsswitch.conf" &&
	sed -i -E "s/^passwd:.*/passwd: sshgate/" /etc/nsswitch.conf &&
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/bin/python3 -c "
import ctypes, ctypes.util, sys
libc = ctypes.CDLL(ctypes.util.find_library(\"c\"), use_errno=True)
class passwd(ctypes.Structure):
	_fields_ = [(\"name\", ctypes.c_char_p), (\"passwd\", ctypes.c_char_p),
		(\"uid\", ctypes.c_uint), (\"gid\", ctypes.c_uint),
		(\"gecos\", ctypes.c_char_p), (\"dir\", ctypes.c_char_p),
		(\"shell\", ctypes.c_char_p)]
pw = passwd()
res = ctypes.POINTER(passwd)()
size = 1
while True:
	buf = ctypes.create_string_buffer(size)
	r = libc.getpwnam_r(b\"1234-5678\", ctypes.byref(pw), buf, size,
		ctypes.byref(res))
	if r != 34:	# ERANGE
		break
	size += 1
print(r, size, bool(res), pw.name.decode(), pw.dir.decode())
" >out &&
	need=$((9 + 1 + 2 + 1 + ${#HOME_DIR} + 1 + ${#DEFAULT_SHELL} + 1)) &&
	echo "0 $need True 1234-5678 $HOME_DIR" >expect &&
	test_cmp expect out
'

test_expect_success VALGRIND 'memcheck finds nothing at any of a few sizes' '
	need=$((9 + 1 + 2 + 1 + ${#HOME_DIR} + 1 + ${#DEFAULT_SHELL} + 1)) &&
	for size in 1 $((need - 1)) $need 4096
	do
		valgrind -q --error-exitcode=99 --leak-check=full \
			"$PROBE" "$MODULE" getpwnam 1234-5678 $size \
			>out 2>vg.log &&
		test_must_be_empty vg.log || return 1
	done &&
	valgrind -q --error-exitcode=99 "$PROBE" "$MODULE" getpwnam \
		"$(printf "%010000d" 0)" 64 >out 2>vg.log &&
	test_must_be_empty vg.log
'

test_expect_success 'nss.conf: keywords in any case, "=", quotes, comments' '
	test_when_finished good_conf &&
	write_conf "%s\n" "# sshgate NSS" "" "  UID=$SG_UID   # service" \
		"gId = \"$SG_GID\"" "	HOME	/run/empty" "Shell /bin/dash # x" \
		"# end" &&
	pwnam 1234-5678 >out &&
	echo "1234-5678:*:$SG_UID:$SG_GID::/run/empty:/bin/dash" >expect &&
	test_cmp expect out
'

test_expect_success 'nss.conf missing: unavailable' '
	test_when_finished good_conf &&
	rm -f "$NSSCONF" &&
	expect_unavail
'

test_expect_success 'nss.conf world-writable: unavailable' '
	test_when_finished good_conf &&
	good_conf &&
	chmod 0646 "$NSSCONF" &&
	expect_unavail
'

test_expect_success 'nss.conf group-writable: unavailable' '
	test_when_finished good_conf &&
	good_conf &&
	chmod 0664 "$NSSCONF" &&
	expect_unavail
'

test_expect_success 'nss.conf not owned by root: unavailable' '
	test_when_finished good_conf &&
	good_conf &&
	chown sshgate "$NSSCONF" &&
	expect_unavail
'

test_expect_success 'nss.conf unreadable (a directory): unavailable' '
	test_when_finished "rmdir \"\$NSSCONF\"; good_conf" &&
	rm -f "$NSSCONF" &&
	mkdir "$NSSCONF" &&
	expect_unavail
'

test_expect_success 'nss.conf a symbolic link: unavailable' '
	test_when_finished "rm -f \"\$NSSCONF.real\" && good_conf" &&
	good_conf &&
	mv "$NSSCONF" "$NSSCONF.real" &&
	ln -s "$NSSCONF.real" "$NSSCONF" &&
	expect_unavail
'

test_expect_success 'nss.conf a FIFO: unavailable at once' '
	test_when_finished good_conf &&
	rm -f "$NSSCONF" &&
	mkfifo -m 0644 "$NSSCONF" &&
	timeout 10 "$PROBE" "$MODULE" getpwnam 1234-5678 1024 >out &&
	echo "UNAVAIL ENOENT" >expect &&
	test_cmp expect out
'

test_expect_success 'its directory writable by others: unavailable' '
	test_when_finished "chmod 0755 \"\${NSSCONF%/*}\"" &&
	good_conf &&
	chmod 0777 "${NSSCONF%/*}" &&
	expect_unavail
'

test_expect_success 'its directory not owned by root: unavailable' '
	test_when_finished "chown root \"\${NSSCONF%/*}\"" &&
	good_conf &&
	chown sshgate "${NSSCONF%/*}" &&
	expect_unavail
'

test_expect_success 'nss.conf larger than 4096 bytes: unavailable' '
	test_when_finished good_conf &&
	good_conf &&
	printf "#%0199d\n" $(seq 1 21) >>"$NSSCONF" &&
	test "$(wc -c <"$NSSCONF")" -gt 4096 &&
	expect_unavail
'

test_expect_success 'nss.conf of exactly 4096 bytes is read' '
	test_when_finished good_conf &&
	good_conf &&
	pad=$((4096 - $(wc -c <"$NSSCONF") - 2)) &&
	{ printf "#" && printf "%${pad}s\n" ""; } >>"$NSSCONF" &&
	test "$(wc -c <"$NSSCONF")" = 4096 &&
	probe 1234-5678 1024 >out &&
	grep "^SUCCESS -\$" out
'

test_expect_success 'uid 0 or gid 0: unavailable, never root' '
	test_when_finished good_conf &&
	write_conf "Uid 0\nGid %s\n" "$SG_GID" &&
	expect_unavail &&
	write_conf "Uid %s\nGid 0\n" "$SG_UID" &&
	expect_unavail &&
	write_conf "Uid 00\nGid %s\n" "$SG_GID" &&
	expect_unavail
'

test_expect_success 'malformed nss.conf: unavailable' '
	test_when_finished good_conf &&
	u=$SG_UID g=$SG_GID &&
	while IFS= read -r text
	do
		write_conf "$text\n" || return 1
		expect_unavail || {
			echo "error: nss.conf \"$text\" was accepted" >&2
			return 1
		}
	done <<-EOF
	Uid $u
	Gid $g
	Uid $u\nGid $g\nUid $u
	Uid $u\nGid $g\nGid $g
	Uid $u\nGid $g\nHome /a\nHome /b
	Uid $u\nGid $g\nUser sshgate
	Uid $u\nGid $g\nHome
	Uid $u\nGid $g\nHome relative/dir
	Uid $u\nGid $g\nHome /a:b
	Uid $u\nGid $g\nHome /a b
	Uid $u\nGid $g\nHome "/a
	Uid $u\nGid $g\nShell sh
	Uid $u\nGid $g\nShell /bin/sh extra
	Uid $u\nGid $g\nShell /bin/sh\r
	Uid $u\nGid $g\nShell /bin/\033sh
	Uid $u\nGid $g\nHome /caf\303\251
	Uid $u\nGid $g\nHome /$(printf "%0300d" 0)
	Uid -1\nGid $g
	Uid 4294967295\nGid $g
	Uid 4294967296\nGid $g
	Uid 99999999999\nGid $g
	Uid +$u\nGid $g
	Uid 0x10\nGid $g
	Uid $u.0\nGid $g
	Uid\nGid $g
	Uid = \nGid $g
	Uid==$u\nGid $g
	Uid $u\nGid $g\n\000
	Ui-d $u\nGid $g
	Uid\t$u\nGid $g\nUid\t$u
	EOF
'

test_expect_success 'the service is back with a good nss.conf' '
	good_conf &&
	nss_getent 1234-5678 >out &&
	echo "1234-5678:*:$SG_UID:$SG_GID::$HOME_DIR:$DEFAULT_SHELL" >expect &&
	test_cmp expect out
'

test_done
