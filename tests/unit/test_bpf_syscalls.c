/* The kernel side's syscall numbers (bpf/syscalls.bpf.h) are the host's: checked against the
 * kernel headers of the architecture the tests run on, as the BPF programs are built for it. */
#include <asm/unistd.h>

#include "../common/suite.h"

#if defined(__aarch64__)
#define __TARGET_ARCH_arm64
#else /* the Makefile builds on x86 and arm64 only */
#define __TARGET_ARCH_x86
#endif
#include "../../bpf/syscalls.bpf.h"

static void test_numbers_are_the_kernels(void)
{
	CU_ASSERT_EQUAL(OSP_NR_EXECVE, __NR_execve);
	CU_ASSERT_EQUAL(OSP_NR_EXECVEAT, __NR_execveat);
	CU_ASSERT_EQUAL(OSP_NR_CLONE, __NR_clone);
	CU_ASSERT_EQUAL(OSP_NR_CLONE3, __NR_clone3);
#ifdef __NR_fork
	CU_ASSERT_EQUAL(OSP_NR_FORK, __NR_fork);
	CU_ASSERT_EQUAL(OSP_NR_VFORK, __NR_vfork);
#else
	CU_ASSERT_EQUAL(OSP_NR_FORK, -1);
	CU_ASSERT_EQUAL(OSP_NR_VFORK, -1);
#endif
}

OSP_SUITE(bpf_syscalls)
{
	OSP_TEST(suite, test_numbers_are_the_kernels);
}
