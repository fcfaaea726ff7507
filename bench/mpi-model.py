#!/usr/bin/python3
"""mpi-model.py - the epoch-time model of doc/mpi.md, printed as its tables.

An epoch of n rows at global batch B is n/B steps; a step on P nodes costs
  compute   rows_per_node x 4 models x 6 x (2 layers x d^2) flops / F
  Adam      the MLP Adam pass, run whole on every node (memory-bound)
  allreduce ring: 2 (P-1)/P x S / beta + 2 (P-1) x alpha,
            S = MLP parameters x 4 bytes (float32 gradients)
Every number below is an input stated in doc/mpi.md; edit and rerun."""
n, d, m, depth = 1_281_167, 2048, 4, 2
params = m * depth * (d * d + d)            # MLP weights and biases
S = params * 4                              # bytes summed per step
flop_row = m * 6 * depth * d * d            # forward 2, backward 4 flops/MAC
F = 2.5e12                                  # node SGEMM rate, flop/s (32 cores at 79 GF/s)
adam_bytes = params * 4 * 7                 # reads p,g,m,v, writes p,m,v
mem_bw = 100e9                              # node memory bandwidth, bytes/s
nets = [("25 GbE (TCP)", 2.9e9, 20e-6), ("InfiniBand EDR 100 Gb/s", 11.5e9, 2e-6),
        ("InfiniBand HDR 200 Gb/s", 23e9, 2e-6)]

def allreduce(P, beta, alpha):
    return 0.0 if P == 1 else 2 * (P - 1) / P * S / beta + 2 * (P - 1) * alpha

def epoch(P, rows_per_node, beta, alpha):
    steps = n / (rows_per_node * P)
    step = rows_per_node * flop_row / F + adam_bytes / mem_bw + allreduce(P, beta, alpha)
    return steps * step

print("MLP parameters %d, %.1f MB summed per step" % (params, S / 1e6))
print("one node, B = 256: %.0f s/epoch (compute %.1f ms + Adam %.1f ms per step)"
      % (epoch(1, 256, 1, 0), 256 * flop_row / F * 1e3, adam_bytes / mem_bw * 1e3))
for title, per in (("global batch 256 (the one-machine run, any P)", None),
                   ("256 rows per node (global batch 256 P)", 256)):
    print("\n" + title)
    print("| network | allreduce/step at 8, 16, 64 | epoch s at 8 | 16 | 64 |")
    print("|---|---|---|---|---|")
    for name, beta, alpha in nets:
        ar = ", ".join("%.1f ms" % (allreduce(P, beta, alpha) * 1e3) for P in (8, 16, 64))
        ep = [epoch(P, per if per else 256 / P, beta, alpha) for P in (8, 16, 64)]
        print("| %s | %s | %.0f | %.0f | %.1f |" % (name, ar, *ep))
