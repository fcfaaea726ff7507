/* h5-rehearse.h - a load tried in a forked child first, so that a file
 * HDF5 itself crashes or hangs on is an error, not the end of rnr. */
#ifndef RNR_H5_REHEARSE_H
#define RNR_H5_REHEARSE_H

/* Run load(arg) - a whole load of the file at path, its result freed -
 * in a child process first, so that a file HDF5 itself crashes on gets an
 * error instead of taking rnr and the workspace down (h5-rehearse.c says
 * why).  0 when the child ended normally (the caller then loads for
 * real; HDF5's errors are its to report); -1 with err_set() when HDF5
 * crashed or did not finish within the time limit (HDF5 loops for ever
 * on some files), or the child was interrupted.  Inside the child, and
 * with RNR_H5_REHEARSAL=off in the environment (fuzzing: the fuzzer must
 * see crashes where they happen), returns 0 at once; the limit is 5 s
 * plus 1 s per 20 MB of file, or RNR_H5_REHEARSAL=N seconds. */
int h5_rehearse(const char *path, void (*load)(void *), void *arg);

/* 1 inside the rehearsal's child: a load there must not talk to other
 * MPI ranks (they are not rehearsing). */
int h5_rehearse_in_child(void);

#endif
