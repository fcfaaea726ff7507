# bf16-probe.py - the oneDNN BF16 matmul rate on this CPU, through PyTorch
# (Debian's torch bundles oneDNN 2.6.3, the libdnnl-dev version): one
# thread, the joint step's forward GEMM 256 x 2048 x 2048, FP32 and BF16.
# ONEDNN_VERBOSE=1 shows which kernel ran (doc/bf16.md).
import torch, time
torch.set_num_threads(1)
a=torch.randn(256,2048); w=torch.randn(2048,2048)
for dt in (torch.float32, torch.bfloat16):
    x=a.to(dt); y=w.to(dt)
    for _ in range(3): x@y.T
    best=1e9
    for _ in range(5):
        t=time.perf_counter(); 
        for _ in range(10): x@y.T
        best=min(best,(time.perf_counter()-t)/10)
    print(dt, "%.4f s %.1f GF/s"%(best, 2*256*2048*2048/best*1e-9))
print(torch.__config__.show().split("\n")[:12])
