# SPDX-License-Identifier: BSD-3-Clause
# Check helpers shared by offload-dsa.sh and offload-iaa.sh (sourced).
# The caller sets $work (a directory for command output) before expect().
fails=0
checks=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); }
# expect RC CMD...: run CMD (stdout/stderr kept in $work/out, $work/err), check its exit code
expect() {
	local want=$1
	shift
	"$@" >"$work/out" 2>"$work/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc (want $want): $*"
		sed 's/^/  | /' "$work/err" | head -5
		return 1
	fi
	ok
	return 0
}
# same A B MSG: files A and B are equal, else fail with MSG
same() {
	cmp -s "$1" "$2" && ok || fail "$3"
}
# summary_ok PATTERN: $work/err holds the summary line (grep PATTERN) and no
# progress bar (a carriage return) was drawn on the pipe
summary_ok() {
	grep -q "$1" "$work/err" && ok || fail "summary line: $(cat "$work/err")"
	grep -q $'\r' "$work/err" && fail "progress bar drawn on a pipe" || ok
}
# work_dirs NAME: a scratch directory on tmpfs ($shm, when /dev/shm is
# writable) and one on disk ($diskdir, under $disk), both in dirs[], removed on exit
work_dirs() {
	dirs=()
	shm=
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		shm=$(mktemp -d "/dev/shm/svadk-$1.XXXXXX") && dirs+=("$shm")
	fi
	diskdir=$(mktemp -d "$disk/$1.XXXXXX") && dirs+=("$diskdir")
	trap 'rm -rf "${dirs[@]}"' EXIT
}
# finish: the counts; exit 1 when a check failed, else 0
finish() {
	echo "$checks checks, $fails failures"
	[ "$fails" -eq 0 ] || exit 1
	exit 0
}
