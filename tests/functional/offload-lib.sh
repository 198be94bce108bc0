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
