#!/bin/sh
# signals.sh - SIGTERM, SIGHUP and SIGPIPE (SIGINT: tests/interrupt.sh).
# SIGTERM during a training job in a script stops the job at a step
# boundary, runs no further command, says that nothing was saved and what
# is lost, and exits 143; SIGHUP the same with 129.  At the plain prompt
# and in the full-screen UI (both in tmux) SIGTERM ends rnr with that
# message and the terminal's modes restored.  A closed output pipe: a
# script stops at the first command whose output cannot be written (exit
# 1, one message); at the prompt (-i) the command fails and the session
# goes on, so a later `save` still writes the workspace.
# Every wait polls with a timeout.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
case $RNR in /*) ;; *) RNR=$(pwd)/$RNR ;; esac
data=$top_srcdir/data/fmnist-demo.h5
case $data in /*) ;; *) data=$(pwd)/$data ;; esac

tmp=$(mktemp -d) || exit 1
pid=
runs=0
T() { tmux -S "$tmp/tmux-$runs" -f /dev/null "$@"; }
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	while [ $runs -gt 0 ]; do
		T kill-server 2>/dev/null
		runs=$((runs - 1))
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "$top_srcdir/tests/tap.sh"
# poll PATTERN FILE [SECS]: 0 once FILE has a line matching PATTERN
poll() {
	end=$(($(date +%s) + ${3:-30}))
	until grep -Eq -- "$1" "$2" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ! grep -Eq -- "$1" "$2" 2>/dev/null &&
			return 1
		sleep 0.05
	done
}

setup="set threads 1; load $data as fm; mlp fm.train seed=1 as dec"

# ---- SIGTERM and SIGHUP during a job in a script ----
for sig in TERM HUP; do
	"$RNR" -n -c "$setup; train dec fm.train epochs=400 seed=1; echo after; save psi to $tmp/$sig.h5" \
		>"$tmp/$sig.out" 2>"$tmp/$sig.err" &
	pid=$!
	poll "epoch 3/" "$tmp/$sig.out" 60 || echo "# the job never printed epoch 3"
	kill -"$sig" "$pid"
	wait "$pid"
	st=$?
	pid=
	want=143
	[ $sig = HUP ] && want=129
	check "SIG$sig during a job: exit status $want" $want $st
	has "SIG$sig: the job stops at a step boundary and says it is abandoned" \
		'^stopped at epoch [0-9]+ step [0-9]+/12 after [0-9]+ steps: rnr is leaving \(signal [0-9]+\), the job is abandoned$' \
		"$tmp/$sig.out"
	has "SIG$sig: says nothing was saved and what is lost" \
		"^rnr: SIG$sig: leaving without saving: 5 objects in the workspace discarded, the unfinished job abandoned$" \
		"$tmp/$sig.err"
	hasnt "SIG$sig: no command runs after it" '^after$' "$tmp/$sig.out"
	[ ! -e "$tmp/$sig.h5" ]
	ok $? "SIG$sig: nothing is saved"
done

# ---- SIGPIPE: the output's reader has gone ----
# The reader (true) exits at once; rnr's first output fails with EPIPE.
{
	"$RNR" -n -c "load $data as fm; show fm.train; echo more; save fm.test to $tmp/pipe.h5" \
		2>"$tmp/pipe.err"
	echo $? >"$tmp/pipe.st"
} | true
check "a script writing to a closed pipe: exit status 1 (not killed by SIGPIPE)" 1 "$(cat "$tmp/pipe.st")"
has "it says why it stops" \
	'^rnr: [a-z]+: writing its output failed: Broken pipe \(the command itself ran\); stopping$' "$tmp/pipe.err"
check "one message: the script stops there" 1 "$(wc -l <"$tmp/pipe.err")"
[ ! -e "$tmp/pipe.h5" ]
ok $? "and runs nothing after it (no save)"

# At the prompt (-i, plain): every command's output fails, the session
# goes on, the workspace is whole: the save at the end writes it.
{
	printf 'load %s as fm\nshow fm.train\navg fm.test as a\nsave fm.test a to %s/ipipe.h5\n' \
		"$data" "$tmp" | "$RNR" -n -i --plain 2>"$tmp/ipipe.err"
	echo $? >"$tmp/ipipe.st"
} | true
check "the prompt writing to a closed pipe: exit status 0" 0 "$(cat "$tmp/ipipe.st")"
has "the failed output is reported" \
	'^show: writing its output failed: Broken pipe \(the command itself ran\)$' "$tmp/ipipe.err"
hasnt "and the session does not stop" 'stopping' "$tmp/ipipe.err"
"$RNR" -n -c "load $tmp/ipipe.h5; list" >"$tmp/ipipe.list" 2>&1
has "the later save wrote the whole workspace (the cache and a bank made after the failure)" \
	'^a +bank +1000 x 128 ' "$tmp/ipipe.list"

# ---- SIGTERM at the plain prompt and in the full-screen UI (tmux) ----
if ! command -v tmux >/dev/null 2>&1; then
	n=$((n + 1))
	echo "ok $n # SKIP tmux is not installed"
	echo "1..$n"
	[ "$failed" = 0 ]
	exit
fi
# term_in_tmux NAME OPTS KEYS WAIT-FOR: rnr OPTS in a tmux pane; type KEYS,
# wait until the screen shows WAIT-FOR, send SIGTERM; the pane then shows
# rnr's messages, its exit status and `stty -a` (the terminal's modes)
term_in_tmux() {
	runs=$((runs + 1))
	T new-session -d -s rnr -x 100 -y 30 \
		"sh -c 'echo \$\$ >$tmp/pid; exec env HOME=$tmp RNR_HISTORY=$tmp/history $RNR -n $2'; echo rnr-exit=\$?; stty -a; sleep 600"
	T set-option -t rnr remain-on-exit on >/dev/null 2>&1
	end=$(($(date +%s) + 30))
	until T capture-pane -p -t rnr 2>/dev/null | grep -q 'rnr>'; do
		[ "$(date +%s)" -ge "$end" ] && break
		sleep 0.05
	done
	T send-keys -t rnr -l "$3"
	T send-keys -t rnr Enter
	end=$(($(date +%s) + 60))
	until T capture-pane -p -t rnr -S -100 >"$tmp/$1.screen" 2>/dev/null && grep -Eq -- "$4" "$tmp/$1.screen"; do
		[ "$(date +%s)" -ge "$end" ] && break
		sleep 0.05
	done
	T send-keys -t rnr -l "typed, never run"
	kill -TERM "$(cat "$tmp/pid")"
	end=$(($(date +%s) + 30))
	until T capture-pane -p -t rnr -S -100 >"$tmp/$1.screen" 2>/dev/null && grep -Eq 'icanon' "$tmp/$1.screen"; do
		[ "$(date +%s)" -ge "$end" ] && break
		sleep 0.05
	done
}
term_in_tmux plain --plain "load $data as fm" '^fm.train: 3000 rows'
has "plain prompt: SIGTERM ends rnr with status 143" '^rnr-exit=143$' "$tmp/plain.screen"
has "plain prompt: says nothing was saved" \
	'^rnr: SIGTERM: leaving without saving: 2 objects in the workspace discarded$' "$tmp/plain.screen"
hasnt "plain prompt: the half-typed line is not run" "unknown command 'typed'" "$tmp/plain.screen"
modes() { # modes NAME: stty printed icanon and echo, not -icanon, -echo
	grep -Eq '(^| )icanon( |$)' "$tmp/$1.screen" && grep -Eq '(^| )echo( |$)' "$tmp/$1.screen"
}
modes plain
ok $? "plain prompt: the terminal's modes are restored (icanon echo)"

term_in_tmux tui "" "$setup; train dec fm.train epochs=400 seed=1" 'epoch [3-9]/400'
has "full-screen UI: SIGTERM mid-job ends rnr with status 143" '^rnr-exit=143$' "$tmp/tui.screen"
has "full-screen UI: says nothing was saved" '^rnr: SIGTERM: leaving without saving: [0-9]+ objects in the workspace discarded' \
	"$tmp/tui.screen"
modes tui
ok $? "full-screen UI: the terminal's modes are restored (icanon echo)"

echo "1..$n"
[ "$failed" = 0 ]
