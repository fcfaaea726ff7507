#!/bin/sh
# mpi.sh - data-parallel training under mpirun (./configure --with-mpi):
#  1. the same session at np 1 (no mpirun), np 2 and np 3 (3 does not divide
#     the 1000 test rows: uneven shards): the MLP weights and banks agree to
#     1e-5 relative (float sums in another order, nothing else), the k-NN
#     tables and every printed line are the same (rank 0 alone prints);
#     dense bank Adam too;
#  2. a rank killed with SIGKILL mid-training: mpirun names it and ends the
#     other rank within a minute, no hang;
#     SIGTERM to mpirun: every rank stops at the same step and leaves;
#  3. a file that only rank 0 can open (the ranks in different working
#     directories): the failing rank says so, the run stops with status 1;
#  4. what MPI runs refuse: the prompt, a checkpoint of a sharded job;
#  5. 10 rows on 4 ranks at batch 3 (ranks without rows in a step) as np 1;
#     11 ranks for 10 rows refused;
#  6. streamed caches (`load ... stream`, read through MPI-IO, each rank its
#     shard): np 2 and 3 streamed train as np 1 in memory (weights to 1e-5,
#     the same k-NN table); all-zero rows and a NaN in rank 1's shard are
#     found as a serial load finds them, the NaN failing on every rank;
#     a rank's shard held in memory, or (under `set memory`) read from the
#     file per batch: the same bits;
#  7. the parallel write of a save: np 3's file holds np 1's banks bit for
#     bit, written by the collective path, loaded by the serial rnr; the
#     gathered bank (export, rank 0) is the same; no temporary file left.
# Skipped when rnr was built without --with-mpi or mpirun is missing.
set -u
: "${RNR:=./rnr}" "${top_srcdir:=.}" "${MPIRUN:=}"
if [ -z "$MPIRUN" ] || ! command -v "$MPIRUN" >/dev/null 2>&1; then
	echo "1..0 # SKIP rnr was built without --with-mpi, or mpirun is missing"
	exit 0
fi
data=$(cd "$top_srcdir/data" && pwd)/fmnist-demo.h5

. "$top_srcdir/tests/tap.sh"
scratch_with_child
# root needs Open MPI's consent; more ranks than cores need --oversubscribe
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_rmaps_base_oversubscribe
mpi() { # mpi NP ARGS...: rnr under mpirun, one thread a rank, at most 2 minutes
	_np=$1
	shift
	timeout 120 "$MPIRUN" -np "$_np" -x RNR_THREADS=1 "$RNR" -n "$@"
}

session() { # session OUT.h5 [TRAIN OPTIONS]
	cat <<EOT
set progress off
load $data as fm
mlp fm.train depth=2 seed=1 as dec
train dec fm.train bank=psi seed=3 epochs=6 warmup=2 $2
infer dec fm.test as psi_te seed=1 epochs=4 $2
knn psi psi_te k=5,20
save dec psi psi_te to $1
EOT
}

# 1. np 1, 2, 3 give the same run
py=$(h5py_python) || py=
compare() { # compare WHAT A.h5 B.h5: every float dataset within 1e-5 relative
	if [ -z "$py" ]; then
		ok 0 "$1" "SKIP no python3 with h5py"
		return
	fi
	_out=$("$py" - "$2" "$3" <<'EOT'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
worst = 0.0
for n in names:
    x, y = a[n][()], b[n][()]
    if x.dtype.kind != "f":
        if not np.array_equal(x, y): print("differ:", n); sys.exit(1)
        continue
    rel = float(np.abs(x - y).max() / max(np.abs(x).max(), 1e-30))
    worst = max(worst, rel)
    if rel > 1e-5: print("%s: %.3g relative" % (n, rel)); sys.exit(1)
print("%d datasets, largest relative difference %.3g" % (len(names), worst))
EOT
	)
	ok $? "$1"
	echo "#   $_out"
}

for adam in lazy dense; do
	session "$tmp/np1-$adam.h5" "adam=$adam" >"$tmp/s1-$adam.rnr"
	"$RNR" -n "$tmp/s1-$adam.rnr" >"$tmp/np1-$adam.out" 2>&1
	check "np 1 ($adam): the session runs" 0 $?
	for np in 2 3; do
		session "$tmp/np$np-$adam.h5" "adam=$adam" >"$tmp/s$np-$adam.rnr"
		mpi $np "$tmp/s$np-$adam.rnr" >"$tmp/np$np-$adam.out" 2>"$tmp/np$np-$adam.err"
		check "np $np ($adam): the session runs" 0 $?
		sed "s/np$np-$adam/np1-$adam/" "$tmp/np$np-$adam.out" >"$tmp/np$np-$adam.cmp"
		if cmp -s "$tmp/np1-$adam.out" "$tmp/np$np-$adam.cmp"; then
			ok 0 "np $np ($adam): rank 0 prints what np 1 prints, the k-NN table too, once"
		else
			ok 1 "np $np ($adam): rank 0 prints what np 1 prints, the k-NN table too, once"
			diff "$tmp/np1-$adam.out" "$tmp/np$np-$adam.cmp" | sed 's/^/#   /'
		fi
		compare "np $np ($adam): MLP weights and banks within 1e-5 relative of np 1" \
			"$tmp/np1-$adam.h5" "$tmp/np$np-$adam.h5"
	done
done
has "the k-NN table is in the transcript" "^psi -> psi_te +20 " "$tmp/np1-lazy.out"

# 2. a rank killed mid-training
cat >"$tmp/long.rnr" <<EOT
load $data as fm
mlp fm.train depth=2 seed=1 as dec
train dec fm.train epochs=100000 seed=1
EOT
# long_run OUT: the endless training in the background under mpirun, $pid,
# back once it has printed its second epoch
long_run() {
	"$MPIRUN" -np 2 -x RNR_THREADS=1 "$RNR" -n "$tmp/long.rnr" >"$1.out" 2>"$1.err" &
	pid=$!
	_i=0
	while ! grep -q "epoch 2/" "$1.out" 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
# ends_within SECONDS WHAT: mpirun ($pid) exits in time, else it is killed;
# its status in $status
ends_within() {
	_i=0
	while kill -0 "$pid" 2>/dev/null && [ $_i -lt $(($1 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		ok 1 "$2: the run ends within $1 s (it hangs)"
		kill -KILL "$pid"
	else
		ok 0 "$2: the run ends within $1 s"
	fi
	wait "$pid"
	status=$?
	pid=
}
long_run "$tmp/kill"
victim=
for p in $(pgrep -P "$pid"); do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && victim=$p
done
check "rank 1 found while the job trains" yes "$([ -n "$victim" ] && echo yes)"
[ -n "$victim" ] && kill -KILL "$victim"
ends_within 60 "rank 1 killed"
check "mpirun fails" yes "$([ "$status" -ne 0 ] && echo yes)"
has "mpirun names the killed rank and its signal" "rank 1 .*(signal 9|Killed)" "$tmp/kill.err"

# 2b. SIGTERM to mpirun (which passes it on to the ranks): the ranks stop
# at the same step (they agree on it before each step) and leave
long_run "$tmp/term"
kill -TERM "$pid"
ends_within 30 "SIGTERM"
check "SIGTERM: rank 0 reports the abandoned job once" 1 \
	"$(grep -c '^stopped at epoch .*rnr is leaving (signal 15), the job is abandoned$' "$tmp/term.out")"
has "SIGTERM: and what is discarded" "^rnr: SIGTERM: leaving without saving" "$tmp/term.err"

# 3. a file only rank 0 can open: rank 1 runs where data.h5 is not
mkdir "$tmp/a" "$tmp/b"
cp "$data" "$tmp/a/data.h5"
printf 'load data.h5 as fm\nlist\n' >"$tmp/rel.rnr"
timeout 120 "$MPIRUN" -np 1 -wdir "$tmp/a" "$RNR" -n "$tmp/rel.rnr" : \
	-np 1 -wdir "$tmp/b" "$RNR" -n "$tmp/rel.rnr" >"$tmp/rel.out" 2>"$tmp/rel.err"
check "a file that rank 1 cannot open: status 1" 1 $?
has "rank 1 says which file it cannot open" \
	"^rnr: rank 1 of 2: load: .*data\.h5" "$tmp/rel.err"
has "rank 0 says the ranks differ and stops" \
	"^rnr: rank 0 of 2: the ranks' workspaces differ now: stopping every rank" "$tmp/rel.err"
hasnt "nothing runs after the failed load" "^fm " "$tmp/rel.out"

# 4. refused under MPI
mpi 2 </dev/null >"$tmp/prompt.out" 2>&1
check "no command file under mpirun: status 2" 2 $?
has "it says to give a command file" "under MPI \(2 ranks\) give command files" "$tmp/prompt.out"
mpi 2 -c "load $data as fm; mlp fm.train seed=1 as dec; train dec fm.train epochs=2 checkpoint=$tmp/ck.h5" \
	>"$tmp/ck.out" 2>&1
check "a checkpointed job under MPI fails" 1 $?
has "the checkpoint is refused with the reason" "runs on 2 MPI ranks: its state cannot be saved" \
	"$tmp/ck.out"
check "no checkpoint file is left" no "$(ls "$tmp"/ck.h5* >/dev/null 2>&1 && echo yes || echo no)"

# 5. tiny caches: 10 rows on 4 ranks at batch 3 (shards of 2 and 3 rows:
# most steps leave some rank without a row), and more ranks than rows
tiny="set progress off; load $data as fm; subset fm.train per_class=1 as tiny; mlp tiny seed=1 as dec"
"$RNR" -n -c "$tiny; train dec tiny epochs=4 warmup=1 batch=3 seed=2 adam=dense; show psi.loss" \
	>"$tmp/tiny1.out" 2>&1
mpi 4 -c "$tiny; train dec tiny epochs=4 warmup=1 batch=3 seed=2 adam=dense; show psi.loss" \
	>"$tmp/tiny4.out" 2>&1
check "10 rows on 4 ranks, batch 3: runs" 0 $?
if cmp -s "$tmp/tiny1.out" "$tmp/tiny4.out"; then
	ok 0 "10 rows on 4 ranks, batch 3: the losses of np 1 to 6 digits, ranks without rows included"
else
	ok 1 "10 rows on 4 ranks, batch 3: the losses of np 1 to 6 digits, ranks without rows included"
	diff "$tmp/tiny1.out" "$tmp/tiny4.out" | sed 's/^/#   /'
fi
mpi 11 -c "$tiny; train dec tiny epochs=2 batch=4; list" >"$tmp/many.out" 2>&1
check "11 ranks for 10 rows: train fails" 1 $?
has "it says why" "^rnr: train: 11 MPI ranks for the 10 rows of tiny: at most one rank per row" \
	"$tmp/many.out"
hasnt "no bank was made" "^psi " "$tmp/many.out"

# 6. streamed caches under MPI: np 1 in memory is the reference
stream_session() { # stream_session OUT.h5 [stream]
	cat <<EOT
set progress off
load $data as fm ${2:-}
mlp fm.train depth=2 seed=1 as dec
train dec fm.train bank=psi seed=3 epochs=6 warmup=2
infer dec fm.test as psi_te seed=1 epochs=4
knn psi psi_te k=5,20
save dec psi psi_te to $1
EOT
}
stream_session "$tmp/mem1.h5" >"$tmp/mem1.rnr"
"$RNR" -n "$tmp/mem1.rnr" >"$tmp/mem1.out" 2>&1
check "in memory, np 1: the session runs" 0 $?
grep '^psi -> psi_te ' "$tmp/mem1.out" >"$tmp/mem1.knn"
for np in 2 3; do
	stream_session "$tmp/st$np.h5" stream >"$tmp/st$np.rnr"
	mpi $np "$tmp/st$np.rnr" >"$tmp/st$np.out" 2>"$tmp/st$np.err"
	check "streamed, np $np: the session runs" 0 $?
	has "streamed, np $np: the caches are streamed" "^fm.train: 3000 rows.*streamed from disk" \
		"$tmp/st$np.out"
	grep '^psi -> psi_te ' "$tmp/st$np.out" >"$tmp/st$np.knn"
	check "streamed, np $np: the k-NN table of np 1 in memory" \
		"$(cat "$tmp/mem1.knn")" "$(cat "$tmp/st$np.knn")"
	compare "streamed, np $np: MLP weights and banks within 1e-5 relative of np 1 in memory" \
		"$tmp/mem1.h5" "$tmp/st$np.h5"
done
if [ -n "$py" ]; then
	# all-zero rows on both shards, a NaN on rank 1's (rows 1500.. at np 2)
	"$py" - "$data" "$tmp/zero.h5" "$tmp/nan.h5" <<'EOT'
import sys, shutil, h5py, numpy as np
for out in sys.argv[2:]:
    shutil.copy(sys.argv[1], out)
with h5py.File(sys.argv[2], "r+") as f:
    x = f["train/features/barlow"]
    for r in (10, 2990):
        x[r] = 0
with h5py.File(sys.argv[3], "r+") as f:
    x = f["train/features/dae"]
    row = x[2500]
    row[7] = np.nan
    x[2500] = row
EOT
	for f in zero nan; do
		"$RNR" -n -c "load $tmp/$f.h5 as z stream" >"$tmp/$f-1.out" 2>&1
		mpi 2 -c "load $tmp/$f.h5 as z stream; list" >"$tmp/$f-2.out" 2>&1
		echo $? >"$tmp/$f-2.rc"
	done
	has "np 1: the zero rows counted" "^  note: barlow has 2 all-zero rows" "$tmp/zero-1.out"
	check "np 2: the same notes as np 1 (the shards' zero rows summed)" \
		"$(grep note "$tmp/zero-1.out")" "$(grep note "$tmp/zero-2.out")"
	has "np 1: the NaN named" "nan.h5: /train/features/dae: row 2500, column 7 .* is NaN" \
		"$tmp/nan-1.out"
	check "np 2: the NaN on rank 1's shard fails the load: status 1" 1 "$(cat "$tmp/nan-2.rc")"
	check "np 2: rank 0 prints rank 1's message, the serial one" \
		"$(grep -o 'row 2500.*' "$tmp/nan-1.out")" "$(grep -o 'row 2500.*' "$tmp/nan-2.out")"
	hasnt "np 2: no rank aborts, no cache is made" "^z\.train |workspaces differ" "$tmp/nan-2.out"
else
	ok 0 "zero rows and NaN in a rank's shard" "SKIP no python3 with h5py"
fi

# 6b. the shard in memory (its rows read once, at the load) or, when the
# memory cap leaves no room for it, read from the file per batch: 4 models x
# 10000 rows x 256 dims, 10 MB a dataset (within the cap's room), 20 MB a
# shard at np 2 (not)
if [ -n "$py" ]; then
	"$py" - "$tmp/big.h5" <<'EOT'
import sys, h5py, numpy as np
rng = np.random.default_rng(1)
with h5py.File(sys.argv[1], "w") as f:
    for m in "abcd":
        f["train/features/" + m] = rng.standard_normal((10000, 256), dtype=np.float32)
    f["train/labels"] = (np.arange(10000) % 10).astype(np.int64)
EOT
	for cap in off 40M; do
		mpi 2 -c "set progress off; set memory $cap; load $tmp/big.h5 as c stream; set memory off; mlp c.train depth=1 seed=1 as dec; train dec c.train epochs=2 warmup=1 seed=2; show c.train; save dec psi to $tmp/cap-$cap.h5" \
			>"$tmp/cap-$cap.out" 2>&1
		check "np 2, memory cap $cap: the streamed session runs" 0 $?
	done
	has "no cap: each rank holds its shard" "^  sharded: each of the 2 MPI ranks holds its shard" \
		"$tmp/cap-off.out"
	hasnt "a cap without room for the shard: it stays on disk" "^  sharded" "$tmp/cap-40M.out"
	same_bits "the shard in memory and on disk train the same bits" \
		"$tmp/cap-off.h5" "$tmp/cap-40M.h5" dec psi
fi

# 7. the parallel write of a save
bank_session() { # bank_session OUT.h5 OUT.npy
	echo "set progress off; load $data as fm; avg fm.train as a; avg fm.test as c; save a c to $1; export a to $2"
}
"$RNR" -n -c "$(bank_session "$tmp/b1.h5" "$tmp/b1.npy")" >"$tmp/b1.out" 2>&1
check "np 1: banks saved" 0 $?
echo old >"$tmp/b3.h5"
mpi 3 -c "$(bank_session "$tmp/b3.h5" "$tmp/b3.npy")" >"$tmp/b3.out" 2>&1
check "np 3: banks saved over an older file" 0 $?
same_bits "np 3: the banks (3000 and 1000 rows on 3 ranks) are np 1's bit for bit" \
	"$tmp/b1.h5" "$tmp/b3.h5" a c
check "np 3: no temporary file is left" "" "$(ls "$tmp" | grep 'tmp-rnr')"
if [ -n "$py" ]; then
	"$py" - "$tmp/b3.h5" "$tmp/b3.npy" <<'EOT' >"$tmp/b3.py" 2>&1
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for n in ("a/psi", "c/psi"):
    # the collective path allocates early and never fills
    if f[n].id.get_create_plist().get_alloc_time() != h5py.h5d.ALLOC_TIME_EARLY:
        sys.exit("%s: not written by the parallel path" % n)
if not np.array_equal(np.load(sys.argv[2]), f["a/psi"][()]):
    sys.exit("the gathered bank differs")
EOT
	check "np 3: written by the collective path; the gathered bank (export) is the same" \
		"" "$(cat "$tmp/b3.py")"
fi
"$RNR" -n -c "load $tmp/b1.h5; knn a c k=5" >"$tmp/l1.out" 2>&1
"$RNR" -n -c "load $tmp/b3.h5; knn a c k=5" >"$tmp/l3.out" 2>&1
check "the serial rnr loads np 3's file: the k-NN table of np 1's" \
	"$(grep '^a -> c' "$tmp/l1.out")" "$(grep '^a -> c' "$tmp/l3.out")"
has "and it has one" "^a -> c +5 " "$tmp/l3.out"
mpi 2 -c "load $data as fm; avg fm.train as a; save a to $tmp/no/such/dir/a.h5" \
	>"$tmp/bad.out" 2>&1
check "np 2: a save that cannot be written fails" 1 $?
has "and says where" "no/such/dir/a.h5" "$tmp/bad.out"

echo "1..$n"
[ "$failed" = 0 ]
