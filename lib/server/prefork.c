/*
 * prefork.c: the supervisor.  The parent only forks, reaps and
 * restarts; it holds no connections.
 */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "prefork.h"

static long long
prefork_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
prefork_spawn(struct prefork *pf, int idx, pid_t ppid)
{
	pid_t pid;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/* die with the parent, including the race before prctl */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != ppid)
			_exit(0);
		close(pf->pf_sfd);
		_exit(pf->pf_work(idx, pf->pf_arg));
	}
	pf->pf_pid[idx] = pid;
	pf->pf_born[idx] = prefork_ms();
	return 0;
}

/* Reap dead workers; report the ones that died while not stopping. */
static void
prefork_reap(struct prefork *pf, int stopping)
{
	pid_t pid;
	int i, status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < pf->pf_n && pf->pf_pid[i] != pid; i++)
			;
		if (i == pf->pf_n)
			continue;
		pf->pf_pid[i] = 0;
		if (!stopping && pf->pf_died)
			pf->pf_died(i, pid, status, pf->pf_arg);
	}
}

/* Fork the missing workers whose restart delay is over; ms to the next. */
static int
prefork_fill(struct prefork *pf, pid_t ppid)
{
	long long now = prefork_ms(), at;
	int i, wait = -1;

	for (i = 0; i < pf->pf_n; i++) {
		if (pf->pf_pid[i] != 0)
			continue;
		/* a worker that dies at once would otherwise fork in a loop */
		at = pf->pf_born[i] + 1000;
		if (pf->pf_born[i] == 0 || now >= at) {
			if (prefork_spawn(pf, i, ppid) == -1 && wait == -1)
				wait = 1000;
		} else if (wait == -1 || at - now < wait) {
			wait = at - now;
		}
	}
	return wait;
}

static void
prefork_stop(struct prefork *pf, int sfd)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	struct signalfd_siginfo si;
	long long end;
	int i, left;

	for (i = 0; i < pf->pf_n; i++)
		if (pf->pf_pid[i] > 0)
			kill(pf->pf_pid[i], SIGTERM);
	end = prefork_ms() + pf->pf_grace_ms;
	for (;;) {
		prefork_reap(pf, 1);
		for (i = 0, left = 0; i < pf->pf_n; i++)
			left += pf->pf_pid[i] != 0;
		if (left == 0)
			return;
		if (prefork_ms() >= end)
			break;
		if (poll(&pfd, 1, 50) == 1)
			(void)!read(sfd, &si, sizeof(si));
	}
	for (i = 0; i < pf->pf_n; i++)
		if (pf->pf_pid[i] > 0)
			kill(pf->pf_pid[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

/* SIGHUP: the workers get it too (they reopen what they write to). */
static void
prefork_hup(struct prefork *pf)
{
	int i;

	for (i = 0; i < pf->pf_n; i++)
		if (pf->pf_pid[i] > 0)
			kill(pf->pf_pid[i], SIGHUP);
	if (pf->pf_hup != NULL)
		pf->pf_hup(pf->pf_arg);
}

int
prefork_run(struct prefork *pf)
{
	struct signalfd_siginfo si;
	struct pollfd pfd;
	sigset_t set;
	pid_t ppid = getpid();
	int sfd, wait;

	pf->pf_pid = calloc(pf->pf_n, sizeof(*pf->pf_pid));
	pf->pf_born = calloc(pf->pf_n, sizeof(*pf->pf_born));
	if (pf->pf_pid == NULL || pf->pf_born == NULL)
		return -1;
	/*
	 * A shell starts background jobs with SIGINT ignored, and an ignored
	 * signal never reaches a signalfd: take the default back first.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	/* blocked in the workers too: there they never kill a connection */
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		return -1;
	pf->pf_sfd = sfd;
	pfd.fd = sfd;
	pfd.events = POLLIN;
	for (;;) {
		wait = prefork_fill(pf, ppid);
		if (poll(&pfd, 1, wait) == -1 && errno != EINTR)
			return -1;
		if (!(pfd.revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD)
			prefork_reap(pf, 0);
		else if (si.ssi_signo == SIGHUP)
			prefork_hup(pf);
		else if (si.ssi_signo == SIGUSR1) {
			if (pf->pf_usr1 != NULL)
				pf->pf_usr1(pf->pf_arg);
		} else
			break;
	}
	prefork_stop(pf, sfd);
	close(sfd);
	free(pf->pf_pid);
	free(pf->pf_born);
	pf->pf_pid = NULL;
	pf->pf_born = NULL;
	return 0;
}
