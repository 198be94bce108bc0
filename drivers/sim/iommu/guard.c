/* SPDX-License-Identifier: BSD-3-Clause */
/* Guarded device access: a SIGSEGV/SIGBUS taken inside sim_guarded() returns
 * -EFAULT to the device model instead of killing the process.
 *
 * Signal dispositions are process-wide by nature; the handler is installed
 * once, on first use, and hands every fault outside a guarded call to the
 * disposition that was there before (default action included). The handler
 * runs with SA_NODEFER so that leaving it with siglongjmp() does not leave the
 * signal blocked, and on the faulting thread's own stack. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "sim_iommu.h"

struct guard_tls {
	volatile sig_atomic_t active;
	sigjmp_buf jb;
	uint64_t addr;
};

static __thread struct guard_tls guard;
static struct sigaction old_segv, old_bus;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void chain(int sig, siginfo_t *info, void *uc)
{
	struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, info, uc);
		return;
	}
	if (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN) {
		/* Restore the default and return: the access faults again and the
		 * process dies the way it would have without us. */
		signal(sig, SIG_DFL);
		return;
	}
	old->sa_handler(sig);
}

static void on_fault(int sig, siginfo_t *info, void *uc)
{
	if (guard.active) {
		guard.active = 0;
		guard.addr = (uint64_t)(uintptr_t)info->si_addr;
		/* sigsetjmp() did not save the mask (no syscall per guarded call),
		 * so leaving with siglongjmp() keeps whatever mask the handler runs
		 * with. SA_NODEFER keeps that the caller's mask when the kernel calls
		 * us directly, but not when something wraps the handler
		 * (ThreadSanitizer runs it with every signal blocked): the next fault
		 * in this thread would hit a blocked SIGSEGV/SIGBUS and the kernel
		 * would kill the process. Put back the mask of the interrupted code
		 * (saved by the kernel in the signal frame), on the fault path only. */
		sigset_t set = ((ucontext_t *)uc)->uc_sigmask;
		sigdelset(&set, SIGSEGV);
		sigdelset(&set, SIGBUS);
		pthread_sigmask(SIG_SETMASK, &set, NULL);
		siglongjmp(guard.jb, 1);
	}
	chain(sig, info, uc);
}

static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
}

int sim_guarded(void (*fn)(void *arg), void *arg, uint64_t *fault_addr)
{
	pthread_once(&guard_once, install);
	if (sigsetjmp(guard.jb, 0) != 0) {
		if (fault_addr)
			*fault_addr = guard.addr;
		return -EFAULT;
	}
	guard.active = 1;
	fn(arg);
	guard.active = 0;
	return 0;
}
