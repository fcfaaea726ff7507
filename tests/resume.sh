#!/bin/sh
# resume.sh - a training job interrupted and resumed in a new rnr process
# ends bit-identical to the uninterrupted run at the same thread count:
#  1. `train ... checkpoint=FILE every=2` on 2 threads, the process killed
#     with SIGKILL mid-run; a new rnr loads the cache, `restore FILE`
#     (which sets threads back to 2), `continue`.  The checkpoints go on
#     after the restore; the last one holds the finished job's objects.
#  2. Ctrl-C (SIGINT) mid-epoch on 1 thread, `save * to FILE`; a new rnr
#     `restore FILE` (the caches are in it), `continue`.
# The kill is sent once the job has printed its third epoch; if the job has
# finished by then it is retried with more epochs.  Bits are compared with
# tests/same-bits.sh (h5py or h5dump; skipped without either).  Then what
# restore and checkpoint= refuse, each leaving the workspace as it was.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}"
data=$top_srcdir/data/fmnist-demo.h5

. "$top_srcdir/tests/tap.sh"
scratch_with_child
setup="load $data as fm; mlp fm.train seed=1 as dec"

# 1. SIGKILL during a checkpointed run, resumed from its checkpoint
for epochs in 20 40 80; do
	rm -f "$tmp/ck.h5"
	signal_after "epoch 3/" KILL "$tmp/kill.out" \
		"set threads 2; $setup; train dec fm.train epochs=$epochs seed=1 checkpoint=$tmp/ck.h5 every=2"
	grep -q '^done:' "$tmp/kill.out" || break
	echo "# the job finished before the kill with epochs=$epochs; retrying with more"
done
has "train announces its checkpoints" \
	"^checkpoints of psi every 2 epochs to $tmp/ck.h5 \(\`restore $tmp/ck.h5\` then \`continue\` resumes\)$" \
	"$tmp/kill.out"
if grep -q '^done:' "$tmp/kill.out" || [ ! -f "$tmp/ck.h5" ]; then
	echo "Bail out! SIGKILL never landed during the job (3 tries)"
	sed 's/^/# | /' "$tmp/kill.out"
	exit 1
fi
cp "$tmp/ck.h5" "$tmp/ck-mid.h5"
"$RNR" -n -c "set threads 1; set progress off; $setup; train dec fm.train epochs=$epochs seed=1; save psi dec psi.loss to $tmp/ref1.h5" >"$tmp/ref1.out" 2>&1 &&
	"$RNR" -n -c "set threads 2; set progress off; $setup; train dec fm.train epochs=$epochs seed=1; save psi dec psi.loss to $tmp/ref2.h5" >"$tmp/ref2.out" 2>&1
check "the uninterrupted runs (1 and 2 threads) succeed" 0 "$?"

"$RNR" -n -c "set threads 1; load $data as fm; restore $tmp/ck.h5; get threads; list; continue; save psi dec psi.loss to $tmp/res-kill.h5" >"$tmp/res-kill.out" 2>&1
check "a new rnr restores the checkpoint and continues (exit 0)" 0 "$?"
has "restore names the objects it adds" '^dec: mlp restored$' "$tmp/res-kill.out"
has "restore brings the stopped job back at an epoch boundary, with its checkpoints" \
	"^restored the stopped job on psi \(train, at epoch [0-9]+ step 0/12\), checkpoints every 2 epochs to $tmp/ck.h5: \`continue\` resumes it$" \
	"$tmp/res-kill.out"
at=$(sed -n 's/^restored the stopped job on psi (train, at epoch \([0-9]*\) .*/\1/p' "$tmp/res-kill.out")
if [ -n "$at" ] && [ "$at" -gt 1 ] && [ "$at" -le "$epochs" ]; then
	ok 0 "the checkpoint is from mid-run: epoch $at of $epochs next"
else
	ok 1 "the checkpoint is from mid-run (epoch '$at' of $epochs next)"
fi
has "restore sets the saved thread count (2 over 1)" '^2$' "$tmp/res-kill.out"
has "the restored job's objects are in use" '^psi +bank .*\(in use\)$' "$tmp/res-kill.out"
has "continue finishes it" "^done: psi after $epochs epochs, loss " "$tmp/res-kill.out"
check "the same final loss as the uninterrupted run" \
	"$(grep '^done:' "$tmp/ref2.out")" "$(grep '^done:' "$tmp/res-kill.out" | sed 's/; .*//')"
same_bits "killed and resumed from a checkpoint (2 threads): bit-identical to the uninterrupted run" \
	"$tmp/ref2.h5" "$tmp/res-kill.h5" /psi /dec /psi.loss
"$RNR" -n -c "restore $tmp/ck.h5" >"$tmp/final.out" 2>&1
has "checkpoints went on after the restore: the last holds the finished job (restored without its cache)" \
	"^the job $tmp/ck.h5 holds had run all its epochs: nothing to continue$" "$tmp/final.out"
same_bits "the last checkpoint holds the final bank, MLPs and loss" "$tmp/ref2.h5" "$tmp/ck.h5" \
	/psi /dec /psi.loss
check "no temporary file is left beside the checkpoint" "" "$(cd "$tmp" && ls | grep 'tmp-rnr')"

# 2. Ctrl-C mid-epoch, the whole workspace saved, restored in a new rnr
signal_after "epoch 3/" INT "$tmp/int.out" \
	"set threads 1; $setup; train dec fm.train epochs=$epochs seed=1; save * to $tmp/ws.h5"
has "SIGINT stops the job" "^stopped at epoch [0-9]+ step [0-9]+/12 after " "$tmp/int.out"
has "save * saves the workspace with the stopped job" \
	"^saved the workspace to $tmp/ws.h5: 5 objects, the settings and the stopped job on psi \(train, at epoch [0-9]+ step [0-9]+/12\)$" \
	"$tmp/int.out"
"$RNR" -n -c "restore $tmp/ws.h5; continue; save psi dec psi.loss to $tmp/res-int.h5" >"$tmp/res-int.out" 2>&1
check "a new rnr restores the workspace and continues (exit 0)" 0 "$?"
has "the caches come from the workspace file" '^fm.train: cache restored$' "$tmp/res-int.out"
has "the settings are restored" '^settings restored: threads 1, seed 0, bail off, echo off, progress on, memory off, precision fp32$' \
	"$tmp/res-int.out"
has "the job is back where Ctrl-C stopped it" \
	"^restored $(sed -n 's/^saved the workspace to .* and \(the stopped job on psi .*\)$/\1/p' "$tmp/int.out" | sed 's/[()]/\\&/g'): \`continue\` resumes it$" \
	"$tmp/res-int.out"
same_bits "stopped mid-epoch, saved with save *, restored: bit-identical to the uninterrupted run (1 thread)" \
	"$tmp/ref1.h5" "$tmp/res-int.h5" /psi /dec /psi.loss

# 3. what is refused, and the workspace as it was after each refusal
"$RNR" -n -c "$setup; save dec to $tmp/plain.h5" >/dev/null 2>&1
cat >"$tmp/refuse.rnr" <<EOF
set threads 3
restore $tmp/ck-mid.h5
load $data as x
subset x.train per_class=299 as fm.train
restore $tmp/ck-mid.h5
mlp x.train seed=1 as dec
train dec x.train epochs=2 checkpoint=$tmp/nodir/ck.h5
train dec x.train epochs=2 every=2
restore $tmp/plain.h5
restore $tmp/ws.h5
save * dec to $tmp/w.h5
list
get threads
EOF
"$RNR" -n "$tmp/refuse.rnr" >"$tmp/refuse.out" 2>&1
check "the refused commands fail (exit 1)" 1 "$?"
has "a checkpoint without its cache loaded: names the cache and where it came from" \
	":2: restore: $tmp/ck-mid.h5: /.job: the job's cache fm.train is neither in the file nor in the workspace: load it under that name first \(it was loaded from .*fmnist-demo.h5, group /train\)$" \
	"$tmp/refuse.out"
has "another cache under the job's cache's name is refused by its checksum" \
	":5: restore: $tmp/ck-mid.h5: /.job: cache fm.train in the workspace is not the one the job trained on \(checksum [0-9a-f]{16}, the job's [0-9a-f]{16}\): the job's was loaded from .*fmnist-demo.h5, group /train$" \
	"$tmp/refuse.out"
has "a checkpoint that cannot be written fails train" \
	":7: train: checkpoint=$tmp/nodir/ck.h5: cannot write $tmp/nodir/ck.h5: No such file or directory$" \
	"$tmp/refuse.out"
has "every= without checkpoint= is refused" ':8: train: every= needs checkpoint=FILE$' "$tmp/refuse.out"
has "restore of a plain object file points at load" \
	":9: restore: $tmp/plain.h5: not a workspace file \(no rnr_workspace attribute\): \`load\` reads its objects$" \
	"$tmp/refuse.out"
has "restore refuses a name clash" ":10: restore: an object named '.*' exists already" "$tmp/refuse.out"
has "save * takes no names beside it" ':11: save: `save \* to FILE` saves everything: name no objects beside \*$' \
	"$tmp/refuse.out"
check "after the refusals the workspace is as it was: x.test x.train fm.train dec" \
	"x.test x.train fm.train dec " "$(sed -n '/^name /,/objects, /p' "$tmp/refuse.out" | sed '1d;$d' | awk '{printf "%s ", $1}')"
has "and the settings too (threads 3)" '^3$' "$tmp/refuse.out"
check "a failed save leaves no file" "" "$(ls "$tmp/w.h5" "$tmp/nodir" 2>/dev/null)"

echo "1..$n"
[ "$failed" = 0 ]
