#!/bin/sh
# interrupt.sh - SIGINT stops a training job at a step boundary; while it is
# stopped its objects are in use and a second job cannot start; `continue`
# resumes it and loses nothing: the bank, the MLPs and the loss history are
# bit-identical to an uninterrupted run with the same seeds and threads.
# The signal is sent once the job has printed its third epoch, so it lands
# during training; if it still misses (no "stopped at"), the run is retried
# with more epochs.  Bits are compared with h5py, else h5dump -b, else the
# check is skipped (the loss printed and `show` are compared regardless).
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
data=$top_srcdir/data/fmnist-demo.h5

tmp=$(mktemp -d) || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "$top_srcdir/tests/tap.sh"

setup="set threads 1; load $data as fm; mlp fm.train seed=1 as dec"
while_stopped="set progress off; list; drop psi; rename dec dec_x; train dec fm.test epochs=1 bank=other"

# Runs "$setup; train ... epochs=EPOCHS; AFTER" in the background, sends
# SIGINT once the job has printed its third epoch; output in $tmp/OUT.out,
# exit status in $status.
interrupted() { # EPOCHS AFTER OUT
	rm -f "$tmp/$3.out"
	signal_after "epoch 3/" INT "$tmp/$3.out" "$setup; train dec fm.train epochs=$1 seed=1; $2"
}

# The same, retried with more epochs while the signal misses the job.
stopped() { # AFTER OUT
	epochs=
	for e in 20 40 80; do
		interrupted "$e" "$1" "$2"
		if grep -q '^stopped at' "$tmp/$2.out"; then
			epochs=$e
			return 0
		fi
		echo "# the signal missed the job with epochs=$e; retrying with more"
	done
	echo "Bail out! SIGINT never stopped the job (3 tries)"
	sed 's/^/# | /' "$tmp/$2.out"
	exit 1
}

# Stop, then commands while the job is stopped, `continue`, a second
# `continue`, save.
stopped "$while_stopped; continue; continue; save psi dec psi.loss to $tmp/int.h5; show psi dec psi.loss" int
int_epochs=$epochs
has "SIGINT stops the job at a step boundary" \
	"^stopped at epoch [0-9]+ step [0-9]+/12 after [0-9]+ steps: \`continue\` resumes, \`cancel\` ends the job$" "$tmp/int.out"
has "list marks the job's objects in use" '^psi +bank +3000 x 128 .*\(in use\)$' "$tmp/int.out"
has "the stopped job's bank cannot be dropped" "^rnr: drop: 'psi' is in use by a running job$" "$tmp/int.out"
has "nor its MLP set renamed" "^rnr: rename: 'dec' is in use by a running job$" "$tmp/int.out"
has "a second job cannot start while one is stopped" \
	'^rnr: train: a stopped job on psi exists: `continue` or `cancel` it first$' "$tmp/int.out"
has "continue finishes the job" "^done: psi after $epochs epochs, loss [0-9.]+$" "$tmp/int.out"
has "a second continue has no job" '^rnr: continue: no stopped job to continue$' "$tmp/int.out"
check "exit status 1 (the refused commands failed)" 1 "$status"
has "the objects are saved" "^saved 3 objects to " "$tmp/int.out"
has "the loss history holds every step" \
	"^  $((epochs * 12)) steps \(12 per epoch, $epochs epochs recorded, warmup $((epochs / 2))\)$" "$tmp/int.out"

# Stop, then `cancel`: the objects stay as they were and are free again.
stopped "set progress off; cancel; list; cancel; drop psi.loss; rename psi kept; show kept" cancel
has "cancel ends the stopped job" \
	"^cancelled the job on psi at epoch [0-9]+ step [0-9]+; its objects stay as they are$" "$tmp/cancel.out"
has "cancel: the bank stays" '^psi +bank +3000 x 128 +[0-9.]+ [KM]iB$' "$tmp/cancel.out"
has "a second cancel has no job" '^rnr: cancel: no stopped job to cancel$' "$tmp/cancel.out"
has "after cancel the objects are free: renamed" '^kept: bank$' "$tmp/cancel.out"
check "after cancel the objects are free: exit status 1 (only the second cancel failed)" 1 "$status"
if grep -q 'in use' "$tmp/cancel.out"; then
	ok 1 "after cancel nothing is in use"
	sed 's/^/#   | /' "$tmp/cancel.out"
else
	ok 0 "after cancel nothing is in use"
fi

# The first job again, uninterrupted.
"$RNR" -n -c "$setup; set progress off; train dec fm.train epochs=$int_epochs seed=1; save psi dec psi.loss to $tmp/ref.h5; show psi dec psi.loss" \
	>"$tmp/ref.out" 2>&1
check "the uninterrupted run succeeds" 0 "$?"
check "the same final loss" "$(grep '^done:' "$tmp/ref.out")" "$(grep '^done:' "$tmp/int.out")"
sed -n '/^psi: bank$/,$p' "$tmp/ref.out" >"$tmp/ref.show"
sed -n '/^psi: bank$/,$p' "$tmp/int.out" >"$tmp/int.show"
if [ -s "$tmp/ref.show" ] && cmp -s "$tmp/ref.show" "$tmp/int.show"; then
	ok 0 "show psi dec psi.loss: the same after continue"
else
	ok 1 "show psi dec psi.loss: the same after continue"
	diff -u "$tmp/ref.show" "$tmp/int.show" | sed 's/^/# /'
fi

same_bits "bank, MLPs and loss bit-identical (every dataset of psi, dec, psi.loss)" \
	"$tmp/ref.h5" "$tmp/int.h5" /psi /dec /psi.loss

echo "1..$n"
[ "$failed" = 0 ]
