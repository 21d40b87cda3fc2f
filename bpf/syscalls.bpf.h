/* The syscalls behind the event types, per architecture: their numbers (the kernel's __NR_*, which
 * vmlinux.h does not carry, as OSP_NR_*) and how to read a task's syscall number from its saved
 * registers. The arguments are read with libbpf's PT_REGS_PARMn_SYSCALL(), which knows each
 * architecture's registers. The build refuses other architectures (Makefile), and this header
 * does too: a wrong number would file every fork as a clone, silently.
 *
 * Plain #defines only, so that the agent's unit tests (tests/unit/test_bpf_syscalls.c) can check
 * the numbers against the host's <asm/unistd.h>. */
#ifndef OSP_SYSCALLS_BPF_H
#define OSP_SYSCALLS_BPF_H

#if defined(__TARGET_ARCH_x86)
#define OSP_NR_CLONE 56
#define OSP_NR_FORK 57
#define OSP_NR_VFORK 58
#define OSP_NR_EXECVE 59
#define OSP_NR_EXECVEAT 322
#define OSP_NR_CLONE3 435
#define OSP_SYSCALL_NR(regs) BPF_CORE_READ((regs), orig_ax)
#elif defined(__TARGET_ARCH_arm64)
/* asm-generic numbering; no fork(2) or vfork(2): libc's fork() is clone() */
#define OSP_NR_CLONE 220
#define OSP_NR_EXECVE 221
#define OSP_NR_EXECVEAT 281
#define OSP_NR_CLONE3 435
#define OSP_NR_FORK (-1)
#define OSP_NR_VFORK (-1)
#define OSP_SYSCALL_NR(regs) BPF_CORE_READ((regs), syscallno)
#else
#error "bpf/syscalls.bpf.h knows x86 and arm64: add this architecture's syscall numbers"
#endif

#endif
