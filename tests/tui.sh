#!/bin/sh
# tui.sh - the full-screen UI end to end, driven inside tmux: rnr runs in a
# detached session of fixed size; keys go in with send-keys and the screen
# comes back with capture-pane.  Every wait polls the screen for the text
# it expects, with a timeout, and prints the screen when it is not there.
# Checks: the prompt echoes typing (the time it takes while a job trains
# at full speed is printed), a training job draws a loss curve that
# changes, the workspace pane lists the new bank, read-only commands run
# and others are refused while the job runs, `stop` and Ctrl-C stop it
# with the bank intact and `continue` resumes it, a resize redraws (and
# below 80x24 says so), Ctrl-C twice asks before leaving, `quit` restores
# the terminal; then an ASCII, NO_COLOR run ended by SIGTERM mid-job.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
case $RNR in /*) ;; *) RNR=$(pwd)/$RNR ;; esac
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
cd "$top_srcdir" || exit 1

tmp=$(mktemp -d) || exit 1
# one tmux server per session: a new one never meets the last one exiting
runs=0
T() { tmux -S "$tmp/tmux-$runs" -f /dev/null "$@"; }
cleanup() {
	while [ $runs -gt 0 ]; do
		T kill-server 2>/dev/null
		runs=$((runs - 1))
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. tests/tap.sh # (the cwd is top_srcdir)
screen() { T capture-pane -p -t rnr; }
dump() { sed 's/^/#   | /' "$tmp/screen"; }
ms() { date +%s%N | cut -b1-13; }
# count PATTERN: lines of the last screen matching
count() { grep -Ec -- "$1" "$tmp/screen"; }
# wait_count PATTERN N [SECS]: 0 once at least N lines of the screen match
wait_count() {
	end=$(($(date +%s) + ${3:-20}))
	while :; do
		screen >"$tmp/screen" 2>/dev/null
		[ "$(count "$1")" -ge "$2" ] && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
}
# wait_for PATTERN [SECS]: 0 once a line of the screen matches (grep -E)
wait_for() { wait_count "$1" 1 "${2:-20}"; }
# expect WHAT PATTERN [SECS]
expect() {
	if wait_for "$2" "${3:-20}"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		echo "#   no line matching: $2"
		dump
	fi
}
# keys TEXT: type TEXT literally, then Enter
keys() {
	T send-keys -t rnr -l "$1"
	T send-keys -t rnr Enter
}
# the chart pane: the rows between the top rule and the output rule, the
# first COLS characters of each (the pane is 3/5 of the width)
chart_pane() {
	LC_ALL=C.UTF-8 sed -n '2,/ output /p' "$tmp/screen" | sed '$d' |
		LC_ALL=C.UTF-8 sed -E "s/^(.{$1}).*/\\1/"
}
# start ENV...: rnr in a fresh 100x30 session; afterwards the shell prints
# its exit status and the terminal's modes, and waits
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	T new-session -d -s rnr -x 100 -y 30 \
		"sh -c 'echo \$\$ >$tmp/pid; exec env $* HOME=$tmp RNR_HISTORY=$tmp/history $RNR -n'; echo rnr-exit=\$?; stty -a; sleep 600"
}

# ---- a UTF-8, colour session ----
start LC_ALL=C.UTF-8
expect "starts full-screen: the workspace pane and the prompt" 'workspace: 0 objects'
expect "the prompt is on the last line" '^rnr>'
T send-keys -t rnr -l "echo hello-tui"
expect "the prompt echoes what is typed" '^rnr> echo hello-tui'
T send-keys -t rnr Enter
expect "the command's output lands in the output pane" '^hello-tui'

keys "set progress off; load data/fmnist-demo.h5 as fm; mlp fm.train seed=1 as dec"
expect "load and mlp: the workspace pane lists the caches and the MLPs" ' dec +mlp '
keys "train dec fm.train epochs=2000 seed=1"
expect "train runs on the worker: the job shows as running" 'job train psi: running'
expect "the workspace pane lists the new bank and its loss" 'psi\.loss +loss '
grep -Eq '[*]psi +bank ' "$tmp/screen"
ok $? "the bank is marked in use"
# the curve: drawn, and different a moment later
drawn=0 end=$(($(date +%s) + 15))
while [ "$drawn" -le 40 ] && [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.1
	screen >"$tmp/screen"
	chart_pane 60 >"$tmp/chart1"
	drawn=$(tr -d ' \n' <"$tmp/chart1" | wc -m)
done
[ "$drawn" -gt 40 ]
ok $? "the chart pane draws the loss ($drawn cells drawn)"
changed=1 end=$(($(date +%s) + 15))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.3
	screen >"$tmp/screen"
	chart_pane 60 >"$tmp/chart2"
	if ! cmp -s "$tmp/chart1" "$tmp/chart2"; then
		changed=0
		break
	fi
done
ok $changed "the loss curve changes while the job trains"
[ $changed = 0 ] || { sed 's/^/#   | /' "$tmp/chart2"; }

# keystroke echo while training at full speed: each of 10 characters is
# timed from send-keys until capture-pane shows it
worst=0 sum=0
typed=
for c in a b c d e f g h i j; do
	typed=$typed$c
	t0=$(ms)
	T send-keys -t rnr -l "$c"
	wait_for "^rnr> $typed\$" 5 || break
	dt=$(($(ms) - t0))
	sum=$((sum + dt))
	[ $dt -gt $worst ] && worst=$dt
done
echo "# keystroke echo while training: mean $((sum / 10)) ms, worst $worst ms (send-keys to capture-pane)"
[ "$typed" = abcdefghij ] && [ $worst -lt 1000 ]
ok $? "typing echoes at once while the job trains (worst $worst ms, limit 1000)"
T send-keys -t rnr C-u

keys "list"
expect "read-only commands run while the job runs (list)" '^psi +bank .*\(in use\)'
keys "drop psi"
expect "a command that changes objects is refused with a clear message" \
	'^drop: a job is running: wait, or `stop` it'
keys "knn avg fm.test"
expect "a computing command is refused too" '^knn: a job is running: wait, or `stop` it'
keys "stop"
expect "stop ends the job at a step boundary" '^stopped at epoch [0-9]+ step [0-9]+/12'
expect "the job stays, stopped" 'job train psi: stopped'
keys "show psi"
expect "the bank is intact after the stop" 'shape: 3000 x 128'
keys "continue"
expect "continue resumes the job" 'job train psi: running'
sleep 0.5
T send-keys -t rnr C-c
# the status line can say "stopped" a redraw before the scrollback shows
# the job's own message (slow under sanitizers): wait for the message
wait_count '^stopped at epoch' 2 10
ok $? "Ctrl-C stops the job as well ($(count '^stopped at epoch') stops on screen)"
[ "$(count '^stopped at epoch')" -ge 2 ] || dump
keys "cancel"
expect "cancel ends the job and keeps its objects" '^cancelled the job on psi'
if "$RNR" -n -c "help plot; help svd" >/dev/null 2>&1; then
	keys "svd psi"
	expect "svd computes the bank's spectrum" '^psi\.svd: spectrum of psi'
	keys "plot psi.svd"
	expect "plot puts the spectrum in the chart pane" '^psi\.svd: in the chart pane'
	expect "the chart pane shows it, log y as spectra are" '^. psi\.svd: singular values.*\(log y\)'
	T send-keys -t rnr F2
	expect "F2 toggles the y axis to linear" '^. psi\.svd: singular values, sorted [^(]*$'
	T send-keys -t rnr F2
	expect "and back to log" '^. psi\.svd: singular values.*\(log y\)'
fi
T send-keys -t rnr PPage
expect "PgUp scrolls the output back" 'scrolled back [0-9]+ rows'
T send-keys -t rnr NPage
T send-keys -t rnr -l "s"
T send-keys -t rnr Tab Tab
expect "Tab lists completions inside the screen" '^ [0-9]+ completions'
grep -Eq '(^| )show( |$)' "$tmp/screen"
ok $? "the list holds the commands that start with s"
T send-keys -t rnr C-u

# resize: the frame follows the window; below 80x24 a message instead
T resize-window -t rnr -x 120 -y 40
wait_for '^rnr>' 10
end=$(($(date +%s) + 10))
while [ "$(sed -n 40p "$tmp/screen" | cut -c1-4)" != "rnr>" ] && [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.1
	screen >"$tmp/screen"
done
[ "$(sed -n 40p "$tmp/screen" | cut -c1-4)" = "rnr>" ] && [ "$(wc -l <"$tmp/screen")" = 40 ] &&
	grep -q 'workspace:' "$tmp/screen"
st=$?
ok $st "a resize to 120x40 redraws the frame at the new size (prompt on line 40)"
[ $st = 0 ] || dump
T resize-window -t rnr -x 60 -y 20
expect "below 80x24 the screen says what it needs" 'needs at least 80x24' 10
T resize-window -t rnr -x 100 -y 30
expect "back at 100x30 the frame returns" 'workspace: [0-9]+ objects' 10

T send-keys -t rnr C-c
sleep 0.2
T send-keys -t rnr C-c
expect "Ctrl-C twice at an idle prompt asks before leaving" '^Leave rnr\? \(y/n\)'
T send-keys -t rnr n
expect "answering n keeps the session" 'staying'
keys "quit"
expect "quit leaves rnr with status 0" '^rnr-exit=0'
grep -q 'workspace:' "$tmp/screen"
[ $? = 1 ]
ok $? "the full screen is gone (the alternate screen is left)"
wait_for '(^| )icanon( |$)' 5 && grep -Eq '(^| )echo( |$)' "$tmp/screen"
ok $? "the terminal's modes are restored (icanon echo)"
grep -q 'quit' "$tmp/history"
ok $? "the history is written"

# ---- ASCII and NO_COLOR; SIGTERM during a job ----
start LC_ALL=C NO_COLOR=1
expect "without UTF-8 the frame is drawn in ASCII" '^- chart -+\+ workspace' 10
T capture-pane -p -e -t rnr >"$tmp/escapes"
grep -Eq "$(printf '\033')\\[(3|4)[0-7]m" "$tmp/escapes"
[ $? = 1 ]
ok $? "NO_COLOR: no colour in the frame"
keys "load data/fmnist-demo.h5 as fm; mlp fm.train as dec; train dec fm.train epochs=2000"
expect "a job runs" 'job train psi: running'
kill -TERM "$(cat "$tmp/pid")"
expect "SIGTERM mid-job ends rnr with status 143" '^rnr-exit=143'
wait_for '(^| )icanon( |$)' 5 && ! grep -q 'workspace:' "$tmp/screen"
ok $? "and restores the terminal"

# ---- a crash: the fatal-signal handler puts the terminal back ----
start LC_ALL=C.UTF-8
expect "a third session starts" 'workspace: 0 objects' 10
kill -SEGV "$(cat "$tmp/pid")"
expect "SIGSEGV kills rnr (status 139)" '^rnr-exit=139'
wait_for '(^| )icanon( |$)' 5 && ! grep -q 'workspace:' "$tmp/screen"
ok $? "and the terminal is restored even so"

echo "1..$n"
[ "$failed" = 0 ]
