/*
 * MKL, the matrix library inside libtorch, chooses its kernels by CPU vendor as well as by
 * instruction set: on AMD processors it runs a generic path, here 200 GFLOP/s for a 4096² SGEMM
 * on two Zen 5 cores, against 472 GFLOP/s on its AVX-512 path. MKL asks this function whether
 * the CPU is Intel's. bin/fer preloads this library on AMD CPUs with AVX-512, so that MKL's own
 * question gets this answer and it takes the AVX-512 path the CPU supports.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
